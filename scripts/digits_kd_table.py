"""The digits table of configs/nkd/README.md (the demo's regime).

Trains the demo teacher once (seed 0; a teacher that an earlier invocation
trained is reused and tested again), then for each seed the demo student (LeNet-5
on 5 % of the training digits) alone, with KD, NKD, DKD and DIST (DKD and
DIST at their authors' CIFAR-100 and ImageNet settings; same seed, same
teacher), evaluates each on the 360 validation digits and prints a markdown
table of mean +- std top-1.

    .venv/bin/python scripts/digits_kd_table.py [--seeds 3] \
        [--rows alone KD NKD DKD DIST DKD-cifar DIST-cifar] [--reuse-finished]
"""
import argparse
import os.path as osp

from experiment import (ROOT, add_reuse_finished_argument, last_checkpoint,
                        make_digits, markdown_table, seeds_table,
                        teacher_metrics)

TEACHER = 'configs/demo/resnet18-w32_gray_digits.py'
# row key: (row name, config, needs the teacher)
ROWS = {
    'alone': ('LeNet-5 alone', 'configs/demo/lenet5_digits-5pct.py', False),
    'KD': ('KD (tau 4)', 'configs/demo/kd_resnet18-w32_lenet5_digits-5pct.py',
           True),
    'NKD': ('NKD (tau 1, gamma 1.5)',
            'configs/demo/nkd_resnet18-w32_lenet5_digits-5pct.py', True),
    # the authors' ImageNet settings (tau 1, as the NKD row)
    'DKD': ('DKD (alpha 1, beta 0.5, tau 1)',
            'configs/dkd/dkd_resnet18-w32_lenet5_digits-5pct.py', True),
    'DIST': ('DIST (tau 1, beta = gamma = 2)',
             'configs/dist/dist_resnet18-w32_lenet5_digits-5pct.py', True),
    # the authors' CIFAR-100 settings (tau 4, as the KD row)
    'DKD-cifar': ('DKD (alpha 1, beta 8, tau 4, warm-up)',
                  'configs/dkd/dkd-cifar_resnet18-w32_lenet5_digits-5pct.py',
                  True),
    'DIST-cifar': ('DIST (tau 4, beta = gamma = 2)', 'configs/dist/'
                   'dist-cifar_resnet18-w32_lenet5_digits-5pct.py', True),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--rows', nargs='+', default=list(ROWS),
                        choices=list(ROWS))
    add_reuse_finished_argument(parser)
    args = parser.parse_args()
    make_digits()
    teacher_dir = osp.join('work_dirs', 'digits', 'demo_teacher')
    top1 = teacher_metrics(TEACHER, teacher_dir)['accuracy/top1']
    print(f'teacher (seed 0): {top1:.2f}', flush=True)
    teacher = [f'model.teacher_ckpt='
               f'{last_checkpoint(osp.join(ROOT, teacher_dir))}']
    runs = [(name, config, teacher if needs_teacher else [])
            for name, config, needs_teacher in map(ROWS.get, args.rows)]
    rows = seeds_table(runs, args.seeds, reuse_finished=args.reuse_finished)
    print(f'\nteacher ResNet-18 (seed 0): {top1:.2f}')
    print(markdown_table(rows, ('accuracy/top1', ), args.seeds))


if __name__ == '__main__':
    main()
