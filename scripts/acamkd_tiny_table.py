"""The tiny-data check of configs/acamkd/README.md.

For tiny COCO (bbox mAP, 128 validation images) and tiny Cityscapes (mIoU,
128 validation images): trains the tiny teacher once (seed 0), then for
each seed the quarter-width student alone, with plain feature imitation
(FPN-MSE: the ``configs/feature_kd`` loss on the same pair and levels), with
ACAM-KD's defaults and with ACAM-KD's literal form, and with the baselines
the papers compare against (FGD, MGD, CWD and PKD on tiny COCO, CWD on tiny
Cityscapes: ``BASELINES``, each at its authors' setting on the same pair
and tap) (same seed, same teacher); prints markdown tables of mean +- std
and per seed, and of the mask coverage of each ACAM-KD run (lowest logged
value, collapse warnings).

    OMP_NUM_THREADS=1 .venv/bin/python scripts/acamkd_tiny_table.py \
        [--seeds 3] [--tasks coco cityscapes] [--rows ...] [--json FILE] \
        [--reuse-finished]
    # only the baselines (rows a task does not have are skipped), and the
    # weight-sensitivity rows of FGD and MGD:
    OMP_NUM_THREADS=1 .venv/bin/python scripts/acamkd_tiny_table.py \
        --rows FGD MGD CWD PKD [--reuse-finished]
    OMP_NUM_THREADS=1 .venv/bin/python scripts/acamkd_tiny_table.py \
        --tasks coco --rows 'FGD x10' 'MGD x10'
    OMP_NUM_THREADS=1 .venv/bin/python scripts/acamkd_tiny_table.py \
        --select [--seeds 2] [--json FILE]

``--select`` compares ACAM-KD variants (``VARIANTS``) for choosing the
default instead: the students train on the same training images, and are
tested on validation images drawn by the same generator with another seed
(``data/acam_tiny_<task>_select``), never on the images of the table. A
teacher trained by an earlier invocation is reused.
"""
import argparse
import json
import os.path as osp
import statistics

from experiment import (ROOT, add_reuse_finished_argument, last_checkpoint,
                        markdown_table, run_tool, run_work_dir, seeds_table,
                        teacher_metrics)
from work_dir import train_log

GROUP = 'acamkd_tiny'
NUM_TRAIN, NUM_VAL = 64, 128
TASKS = dict(
    coco=dict(
        metric='coco/bbox_mAP',
        teacher='configs/acamkd/retinanet_r18_fpn_tiny-coco.py',
        student='configs/acamkd/retinanet_r18-w16_fpn_tiny-coco.py',
        feature='configs/feature_kd/'
        'fpn-mse_retinanet_r18_r18-w16_fpn_tiny-coco.py',
        acam='configs/acamkd/acamkd_retinanet_r18_r18-w16_fpn_tiny-coco.py'),
    cityscapes=dict(
        metric='mIoU',
        teacher='configs/acamkd/deeplabv3_r18-d8_tiny-cityscapes.py',
        student='configs/acamkd/deeplabv3_r18-w16-d8_tiny-cityscapes.py',
        feature='configs/feature_kd/'
        'logit-mse_deeplabv3_r18-d8_r18-w16-d8_tiny-cityscapes.py',
        acam='configs/acamkd/'
        'acamkd_deeplabv3_r18-d8_r18-w16-d8_tiny-cityscapes.py'))

LEVEL_LOSS = 'model.distill_losses.acam.level_loss'
# ACAM-KD settings (ACAMLoss switches over the shipped config's defaults)
VARIANTS = {
    'ACAM-KD defaults': [],
    'ACAM-KD squared weights': [f'{LEVEL_LOSS}.mask_normaliser=squares'],
    'ACAM-KD literal': [f'{LEVEL_LOSS}.literal=True'],
}
# The baselines of the papers' tables, each at its authors' setting on the
# pair and tap of the task (the configs' comments say which setting).
BASELINES = dict(
    coco={
        'FGD': 'configs/fgd/fgd_retinanet_r18_r18-w16_fpn_tiny-coco.py',
        'MGD': 'configs/mgd/mgd_retinanet_r18_r18-w16_fpn_tiny-coco.py',
        'CWD': 'configs/cwd/cwd_retinanet_r18_r18-w16_fpn_tiny-coco.py',
        'PKD': 'configs/pkd/pkd_retinanet_r18_r18-w16_fpn_tiny-coco.py',
    },
    cityscapes={
        'CWD': 'configs/cwd/'
        'cwd_deeplabv3_r18-d8_r18-w16-d8_tiny-cityscapes.py',
    })
BASELINE_ROWS = ('FGD', 'MGD', 'CWD', 'PKD')
# Weight-sensitivity rows of baselines that did not help at their authors'
# setting (not in the default rows): (baseline, cfg-options).
BASELINE_VARIANTS = {
    'FGD x10': ('FGD', ['model.distill_losses.fgd.loss_weight=10.0']),
    'MGD x10': ('MGD', ['model.distill_losses.mgd.loss_weight=10.0']),
}
ROWS = ('student alone', 'FPN-MSE', 'ACAM-KD defaults', 'ACAM-KD literal',
        *BASELINE_ROWS)
COLLAPSE_WARNING = 'ACAMLoss: the spatial masks of'


def run_spec(task, row):
    """(config, extra cfg-options) of a row of ``task``."""
    spec = TASKS[task]
    if row == 'student alone':
        return spec['student'], []
    if row == 'FPN-MSE':
        return spec['feature'], []
    if row in BASELINE_ROWS:
        return BASELINES[task][row], []
    if row in BASELINE_VARIANTS:
        baseline, options = BASELINE_VARIANTS[row]
        return BASELINES[task][baseline], options
    return spec['acam'], VARIANTS[row]


def task_rows(task, rows):
    """``rows`` without the baselines ``task`` has no config for."""
    return [row for row in rows
            if (row not in BASELINE_ROWS or row in BASELINES[task]) and
            (row not in BASELINE_VARIANTS or
             BASELINE_VARIANTS[row][0] in BASELINES[task])]


def select_options(task):
    """cfg-options that test on the selection images of ``task``."""
    root = f'data/acam_tiny_{task}_select/'
    options = [f'test_dataloader.dataset.data_root={root}']
    if task == 'coco':
        options.append('test_evaluator.ann_file='
                       f'{root}annotations/instances_val2017.json')
    return options


def make_data(task, select):
    for root, seed in ((f'data/acam_tiny_{task}', 0),
                       (f'data/acam_tiny_{task}_select', 1))[:1 + select]:
        run_tool(['tools/make_tiny_data.py', task, root, '--seed', str(seed),
                  '--num-train', str(NUM_TRAIN), '--num-val', str(NUM_VAL),
                  '--overwrite'],
                 osp.join(ROOT, 'work_dirs', GROUP, 'make_tiny_data.log'))


def coverage_report(name, seeds, group):
    """Per seed: the lowest logged mean spatial-mask coverage, the last
    one, and the number of collapse warnings in the run's log."""
    report = []
    for seed in range(seeds):
        work_dir = osp.join(ROOT, run_work_dir(name, seed, group))
        values = [r['acam.coverage'] for r in train_log(work_dir)
                  if 'acam.coverage' in r]
        with open(osp.join(work_dir, 'run.log')) as f:
            warnings = f.read().count(COLLAPSE_WARNING)
        report.append(dict(min=min(values), last=values[-1],
                           collapse_warnings=warnings))
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--tasks', nargs='+', default=list(TASKS))
    parser.add_argument('--rows', nargs='+', default=list(ROWS),
                        choices=['student alone', 'FPN-MSE', *VARIANTS,
                                 *BASELINE_ROWS, *BASELINE_VARIANTS])
    parser.add_argument('--select', action='store_true',
                        help='compare the ACAM-KD variants on the selection '
                        'images instead')
    parser.add_argument('--json', help='also write the results here')
    add_reuse_finished_argument(parser)
    args = parser.parse_args()
    group = GROUP + ('_select' if args.select else '')
    results, tables = {}, []
    for task in args.tasks:
        spec = TASKS[task]
        rows = task_rows(task, list(VARIANTS) if args.select else args.rows)
        if not rows:
            continue
        make_data(task, args.select)
        teacher_dir = osp.join('work_dirs', GROUP, f'{task}_teacher')
        metrics = teacher_metrics(spec['teacher'], teacher_dir)
        ckpt = last_checkpoint(osp.join(ROOT, teacher_dir))
        extra = select_options(task) if args.select else []
        runs = []
        for row in rows:
            config, options = run_spec(task, row)
            teacher = [] if row == 'student alone' else \
                [f'model.teacher_ckpt={ckpt}']
            runs.append((f'{task} {row}', config,
                         [*teacher, *options, *extra]))
        table = seeds_table(runs, args.seeds, metrics=(spec['metric'], ),
                            group=group, reuse_finished=args.reuse_finished)
        results[task] = dict(teacher=metrics[spec['metric']], runs={})
        for (name, values, minutes), row in zip(table, rows):
            results[task]['runs'][row] = dict(
                per_seed=values[spec['metric']], minutes=minutes)
            if row.startswith('ACAM'):
                results[task]['runs'][row]['coverage'] = coverage_report(
                    name, args.seeds, group)
        tables.append(f'{task} teacher (seed 0): '
                      f'{metrics[spec["metric"]]:.4f}\n' +
                      markdown_table(table, (spec['metric'], ), args.seeds,
                                     decimals=3 if task == 'coco' else 2))
    print('\n\n'.join(tables))
    print('\n| data | run | lowest / last mean coverage per seed | collapse '
          'warnings |\n|---|---|---|---|')
    for task, result in results.items():
        for row, run in result['runs'].items():
            if 'coverage' in run:
                cells = ', '.join(f"{c['min']:.3f} / {c['last']:.3f}"
                                  for c in run['coverage'])
                warnings = sum(c['collapse_warnings']
                               for c in run['coverage'])
                print(f'| {task} | {row} | {cells} | {warnings} |')
    for task, result in results.items():
        for row, run in result['runs'].items():
            run['mean'] = statistics.mean(run['per_seed'])
            run['std'] = statistics.stdev(run['per_seed']) \
                if len(run['per_seed']) > 1 else 0.0
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
