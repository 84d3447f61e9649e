"""The digits table of configs/nkd/README.md (the demo's regime).

Trains the demo teacher once (seed 0), then for each seed the demo student
(LeNet-5 on 5 % of the training digits) alone, with KD and with NKD (same
seed, same teacher), evaluates each on the 360 validation digits and prints
a markdown table of mean +- std top-1.

    .venv/bin/python scripts/digits_kd_table.py [--seeds 3]
"""
import argparse
import os.path as osp

from experiment import (ROOT, last_checkpoint, make_digits, markdown_table,
                        seeds_table, train_and_test)

TEACHER = 'configs/demo/resnet18-w32_gray_digits.py'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    args = parser.parse_args()
    make_digits()
    teacher_dir = osp.join('work_dirs', 'digits', 'demo_teacher')
    metrics, _ = train_and_test(TEACHER, teacher_dir, ['randomness.seed=0'])
    teacher_top1 = metrics['accuracy/top1']
    print(f'teacher (seed 0): {teacher_top1:.2f}', flush=True)
    teacher = [f'model.teacher_ckpt='
               f'{last_checkpoint(osp.join(ROOT, teacher_dir))}']
    runs = [
        ('LeNet-5 alone', 'configs/demo/lenet5_digits-5pct.py', []),
        ('KD (tau 4)', 'configs/demo/kd_resnet18-w32_lenet5_digits-5pct.py',
         teacher),
        ('NKD (tau 1, gamma 1.5)',
         'configs/demo/nkd_resnet18-w32_lenet5_digits-5pct.py', teacher),
    ]
    rows = seeds_table(runs, args.seeds)
    print(f'\nteacher ResNet-18 (seed 0): {teacher_top1:.2f}')
    print(markdown_table(rows, ('accuracy/top1', ), args.seeds))


if __name__ == '__main__':
    main()
