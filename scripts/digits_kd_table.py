"""The digits table of configs/nkd/README.md.

Trains the demo teacher once (seed 0), then for each seed the demo student
alone, with KD and with NKD (same seed, same teacher), evaluates each on the
360 validation digits and prints a markdown table of mean +- std top-1.

    .venv/bin/python scripts/digits_kd_table.py [--seeds 3]
"""
import argparse
import os.path as osp

from experiment import (ROOT, last_checkpoint, make_digits, markdown_table,
                        seeds_table, train_and_test)

TEACHER = 'configs/demo/resnet18_digits.py'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    args = parser.parse_args()
    make_digits()
    teacher_dir = osp.join('work_dirs', 'digits', 'teacher')
    metrics, _ = train_and_test(TEACHER, teacher_dir, ['randomness.seed=0'])
    teacher_top1 = metrics['accuracy/top1']
    print(f'teacher (seed 0): {teacher_top1:.2f}', flush=True)
    teacher = [f'model.teacher_ckpt='
               f'{last_checkpoint(osp.join(ROOT, teacher_dir))}']
    runs = [
        ('student alone', 'configs/demo/resnet18-w16_digits.py', []),
        ('KD (tau 4)', 'configs/demo/kd_resnet18_resnet18-w16_digits.py',
         teacher),
        ('NKD (tau 1, gamma 1.5)',
         'configs/demo/nkd_resnet18_resnet18-w16_digits.py', teacher),
    ]
    rows = seeds_table(runs, args.seeds)
    print(f'\nteacher ResNet-18 (seed 0): {teacher_top1:.2f}')
    print(markdown_table(rows, ('accuracy/top1', ), args.seeds))


if __name__ == '__main__':
    main()
