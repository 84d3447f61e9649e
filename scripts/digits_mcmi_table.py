"""The digits table of configs/mcmi/README.md.

Stage 0 trains the demo teacher with CE (seed 0); stage 1 fine-tunes it
with MCMI; both are exported as plain checkpoints and their CMI measured on
the 360 validation digits. Stage 2, for each seed and training set (all
data, the demo's stratified 5 %, all but the 3s), each for about the demo's
920 optimizer steps: the demo student (LeNet-5) alone, with the demo's KD
from the CE teacher and with the demo's KD from the MCMI teacher. Prints the
teachers' top-1 and CMI, and a markdown table of mean +- std top-1 and
accuracy on the 3s.

    .venv/bin/python scripts/digits_mcmi_table.py [--seeds 3]
"""
import argparse
import os.path as osp

from experiment import (ROOT, last_checkpoint, make_digits, markdown_table,
                        run_tool, seeds_table, train_and_test)

GROUP = 'mcmi_digits'
TEACHER = 'configs/mcmi/resnet18-w32_gray_digits.py'
MCMI = 'configs/mcmi/mcmi_resnet18-w32_gray_digits.py'
STUDENT = 'configs/mcmi/lenet5_subset_digits.py'
KD = 'configs/mcmi/kd_resnet18-w32_lenet5_subset_digits.py'
DROPPED = 3


def epochs(count):
    """cfg-options that train for ``count`` epochs (cosine over all)."""
    return [f'train_cfg.max_epochs={count}', f'train_cfg.val_interval={count}',
            f'param_scheduler.T_max={count}',
            f'default_hooks.checkpoint.interval={count}']


# Batches of 64: all 1,437 images are 23 a epoch (40 epochs: 920 steps),
# the 70 images of 5 % are 2 (460 epochs), the 1,291 without the 3s are 21
# (44 epochs: 924 steps).
SETTINGS = [
    ('all data', []),
    ('5 % data', ['train_dataloader.dataset.fraction=0.05', *epochs(460)]),
    (f'class {DROPPED} dropped',
     [f'train_dataloader.dataset.drop_classes=[{DROPPED}]', *epochs(44)]),
]
METRICS = ('accuracy/top1', f'single-label/recall_classwise[{DROPPED}]')


def teacher(config, name, options):
    """Train and test a teacher; return its test metrics and exported
    checkpoint."""
    work_dir = osp.join('work_dirs', GROUP, name)
    metrics, _ = train_and_test(config, work_dir, options)
    exported = osp.join(ROOT, 'work_dirs', GROUP, f'{name}.pth')
    run_tool(['tools/export_student.py',
              last_checkpoint(osp.join(ROOT, work_dir)), exported,
              '--overwrite'], osp.join(ROOT, work_dir, 'run.log'))
    print(f'{name}: top-1 {metrics["accuracy/top1"]:.2f}, CMI '
          f'{metrics["cmi/nats"]:.4f} nats', flush=True)
    return metrics, exported


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    args = parser.parse_args()
    make_digits()
    ce, ce_ckpt = teacher(TEACHER, 'teacher_ce', ['randomness.seed=0'])
    ce_dir = osp.join(ROOT, 'work_dirs', GROUP, 'teacher_ce')
    mcmi, mcmi_ckpt = teacher(MCMI, 'teacher_mcmi', [
        'randomness.seed=0', f'load_from={last_checkpoint(ce_dir)}'])
    runs = []
    for setting, options in SETTINGS:
        runs += [
            (f'{setting}: student alone', STUDENT, options),
            (f'{setting}: KD, CE teacher', KD,
             [f'model.teacher_ckpt={ce_ckpt}', *options]),
            (f'{setting}: KD, MCMI teacher', KD,
             [f'model.teacher_ckpt={mcmi_ckpt}', *options]),
        ]
    rows = seeds_table(runs, args.seeds, METRICS, group=GROUP)
    print('\n| teacher | top-1 | CMI (nats, val) |')
    print('|---|---|---|')
    for name, metrics in (('CE (stage 0)', ce), ('MCMI (stage 1)', mcmi)):
        print(f'| {name} | {metrics["accuracy/top1"]:.2f} | '
              f'{metrics["cmi/nats"]:.4f} |')
    print()
    print(markdown_table(rows, METRICS, args.seeds))


if __name__ == '__main__':
    main()
