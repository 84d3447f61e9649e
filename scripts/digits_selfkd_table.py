"""The digits tables of configs/uskd/README.md and configs/pskd/README.md.

Each method in its paper's regime, 3 seeds, on the 360 validation digits,
top-1 and expected calibration error (15 bins):
- USKD on the demo student (LeNet-5, 5 % of the training digits): alone
  and with USKD;
- PS-KD on an over-parameterised student (ResNet-18 at 16 base channels on
  the same 72 images and 920 steps, which fits its training set): alone and
  with PS-KD in each memory mode (fp32, fp16, top-3). Also prints the
  student's training top-1 over its last 10 iterations.

    .venv/bin/python scripts/digits_selfkd_table.py [--seeds 3]
"""
import argparse
import os.path as osp

from experiment import (ROOT, make_digits, markdown_table, run_work_dir,
                        seeds_table)
from work_dir import train_log

LENET = 'configs/demo/lenet5_digits-5pct.py'
RESNET = 'configs/demo/resnet18-w16_gray_digits-5pct.py'
PSKD = 'configs/demo/pskd_resnet18-w16_gray_digits-5pct.py'
USKD_RUNS = [
    ('LeNet-5 alone', LENET, []),
    ('LeNet-5, USKD', 'configs/demo/uskd_lenet5_digits-5pct.py', []),
]
PSKD_RUNS = [
    ('ResNet-18-w16 alone', RESNET, []),
    ('ResNet-18-w16, PS-KD fp32 memory', PSKD, []),
    ('ResNet-18-w16, PS-KD fp16 memory', PSKD,
     ['model.head.memory.mode=fp16']),
    ('ResNet-18-w16, PS-KD top-3 memory', PSKD,
     ['model.head.memory.mode=topk', 'model.head.memory.topk=3']),
]
METRICS = ('accuracy/top1', 'calibration/ece')


def final_train_top1(name, seed):
    """The last ``accuracy_top-1`` the head logged in run ``name``: mmengine
    averages it over the last 10 iterations (5 epochs of 72 images)."""
    return train_log(osp.join(ROOT, run_work_dir(name, seed)))[-1][
        'accuracy_top-1']


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    args = parser.parse_args()
    make_digits()
    tables = []
    for runs in (USKD_RUNS, PSKD_RUNS):
        rows = seeds_table(runs, args.seeds, METRICS)
        tables.append(markdown_table(rows, METRICS, args.seeds))
    train_top1 = [final_train_top1(PSKD_RUNS[0][0], seed)
                  for seed in range(args.seeds)]
    print('\n' + '\n\n'.join(tables))
    print(f'\n{PSKD_RUNS[0][0]}: training top-1 over the last 10 '
          f'iterations per seed: {", ".join(f"{v:.2f}" for v in train_top1)}')


if __name__ == '__main__':
    main()
