"""The digits tables of configs/uskd/README.md and configs/pskd/README.md.

Each method in its paper's regime, 3 seeds, on the 360 validation digits,
top-1 and expected calibration error (15 bins):
- USKD on the demo student (LeNet-5, 5 % of the training digits): alone
  and with USKD;
- PS-KD on an over-parameterised student (ResNet-18 at 16 base channels on
  the same 70 images and 920 steps, which fits its training set): alone and
  with PS-KD in each memory mode (fp32, fp16, top-3). Also prints the
  student's top-1 on its own training images.

    .venv/bin/python scripts/digits_selfkd_table.py [--seeds 3]
"""
import argparse
import os
import os.path as osp

from experiment import (ROOT, add_reuse_finished_argument, last_checkpoint,
                        latest_test_metrics, make_digits, markdown_table,
                        run_tool, run_work_dir, seeds_table)

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


def training_set_top1(config, name, seed):
    """Top-1 of run ``name``'s last checkpoint on its own training images
    (the stratified 5 % of ``config``, without augmentation)."""
    work_dir = osp.join(ROOT, run_work_dir(name, seed), 'training_set')
    os.makedirs(work_dir, exist_ok=True)
    probe = osp.join(work_dir, 'test_on_training_set.py')
    with open(probe, 'w') as f:
        f.write(f"_base_ = ['{osp.join(ROOT, config)}']\n"
                'test_dataloader = dict(dataset=dict(\n'
                "    _delete_=True, type='mmkd_ext.LabelSubsetDataset',\n"
                '    fraction=_base_.train_dataloader.dataset.fraction,\n'
                '    seed=_base_.train_dataloader.dataset.seed,\n'
                "    dataset=dict(_base_.test_dataloader.dataset, "
                "split='train')))\n")
    run_tool(['tools/test.py', probe,
              last_checkpoint(osp.join(ROOT, run_work_dir(name, seed))),
              '--work-dir', work_dir], osp.join(work_dir, 'run.log'))
    return latest_test_metrics(work_dir)['accuracy/top1']


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    add_reuse_finished_argument(parser)
    args = parser.parse_args()
    make_digits()
    tables = []
    for runs in (USKD_RUNS, PSKD_RUNS):
        rows = seeds_table(runs, args.seeds, METRICS,
                           reuse_finished=args.reuse_finished)
        tables.append(markdown_table(rows, METRICS, args.seeds))
    train_top1 = [training_set_top1(RESNET, PSKD_RUNS[0][0], seed)
                  for seed in range(args.seeds)]
    print('\n' + '\n\n'.join(tables))
    print(f'\n{PSKD_RUNS[0][0]}: top-1 on its 70 training images '
          f'per seed: {", ".join(f"{v:.2f}" for v in train_top1)}')


if __name__ == '__main__':
    main()
