"""The tiny-data learning check of configs/acamkd/README.md.

For tiny COCO and tiny Cityscapes: trains the tiny teacher once (seed 0),
then for each seed the quarter-width student alone and with ACAM-KD (same
seed, same teacher), evaluates each on the 32 validation images, and prints
markdown tables of mean +- std (bbox mAP, mIoU) and of the ACAM loss in the
first and last logged iterations of each distilled run.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/acamkd_tiny_table.py [--seeds 3]
        [--tasks coco cityscapes] [--variants defaults scale-free ...]
        [--no-alone] [--student-iters N] [--reuse-teacher]

``--variants`` picks the ACAM-KD settings to run (``VARIANTS``; the
defaults alone when not given); ``--no-alone`` skips the student-alone
runs, so that two invocations with different variants can share the CPU.
``--student-iters`` shortens the iteration-based (Cityscapes) student runs
(schedule included); ``--reuse-teacher`` tests an already trained teacher
instead of training it again.
"""
import argparse
import os.path as osp

from experiment import (ROOT, last_checkpoint, markdown_table, run_tool,
                        run_work_dir, seeds_table, train_and_test)
from work_dir import latest_test_metrics, train_log

GROUP = 'acamkd_tiny'
TASKS = dict(
    coco=dict(
        metric='coco/bbox_mAP',
        num_val=32,
        teacher='configs/acamkd/retinanet_r18_fpn_tiny-coco.py',
        student='configs/acamkd/retinanet_r18-w16_fpn_tiny-coco.py',
        distill='configs/acamkd/'
        'acamkd_retinanet_r18_r18-w16_fpn_tiny-coco.py'),
    cityscapes=dict(
        metric='mIoU',
        num_val=128,
        teacher='configs/acamkd/deeplabv3_r18-d8_tiny-cityscapes.py',
        student='configs/acamkd/deeplabv3_r18-w16-d8_tiny-cityscapes.py',
        distill='configs/acamkd/'
        'acamkd_deeplabv3_r18-d8_r18-w16-d8_tiny-cityscapes.py'))


# ACAM-KD settings (ACAMLoss switches) -> their cfg-options
LEVEL_LOSS = 'model.distill_losses.acam.level_loss'
VARIANTS = {
    'defaults': [],
    'detached masks': [f'{LEVEL_LOSS}.detach_masks_in_kd=True'],
    'scale-free masks': [f'{LEVEL_LOSS}.scale_free_masks=True'],
    'scale-free reversed masks': [f'{LEVEL_LOSS}.scale_free_masks=True',
                                  f'{LEVEL_LOSS}.reverse_masks_in_kd=True'],
}


def run_name(task, variant):
    """Name (and work dir stem) of a distilled run."""
    suffix = '' if variant == 'defaults' else ' ' + variant
    return f'{task} ACAM-KD{suffix}'


def acam_loss_trend(task, variant, seeds):
    """Markdown rows: loss_acam (and its parts) at the first and the last
    logged iteration of each seed's distilled run."""
    lines = []
    for seed in range(seeds):
        records = [r for r in train_log(osp.join(
            ROOT, run_work_dir(run_name(task, variant), seed, GROUP)))
            if 'loss_acam' in r]
        first, last = records[0], records[-1]
        lines.append(
            f'| {task}, {variant} | {seed} | ' + ' | '.join(
                f'{first[k]:.4f} -> {last[k]:.4f}' for k in (
                    'loss_acam', 'acam.channel', 'acam.spatial', 'acam.div'))
            + f' | {last["acam.coverage"]:.3f} | {last["acam.entropy"]:.3f} |')
    return lines


def teacher_metrics(config, work_dir, reuse):
    """Train (seed 0) and test the teacher; with ``reuse``, only test the
    last checkpoint already in ``work_dir``."""
    if not reuse:
        return train_and_test(config, work_dir, ['randomness.seed=0'])[0]
    run_tool(['tools/test.py', config, last_checkpoint(
        osp.join(ROOT, work_dir)), '--work-dir', work_dir],
        osp.join(ROOT, work_dir, 'run.log'))
    return latest_test_metrics(osp.join(ROOT, work_dir))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--tasks', nargs='+', default=list(TASKS))
    parser.add_argument('--variants', nargs='+', default=['defaults'],
                        choices=list(VARIANTS))
    parser.add_argument('--no-alone', action='store_true')
    parser.add_argument('--student-iters', type=int)
    parser.add_argument('--reuse-teacher', action='store_true')
    args = parser.parse_args()
    trend = ['| data | seed | loss_acam first -> last | L_channel | '
             'L_spatial | L_div | last coverage | last entropy |',
             '|---|---|---|---|---|---|---|---|']
    tables = []
    for task in args.tasks:
        spec = TASKS[task]
        run_tool(['tools/make_tiny_data.py', task, f'data/acam_tiny_{task}',
                  '--num-train', '64', '--num-val', str(spec['num_val'])],
                 osp.join(ROOT, 'work_dirs', GROUP, 'make_tiny_data.log'))
        teacher_dir = osp.join('work_dirs', GROUP, f'{task}_teacher')
        metrics = teacher_metrics(spec['teacher'], teacher_dir,
                                  args.reuse_teacher)
        print(f'{task} teacher (seed 0): {metrics[spec["metric"]]:.4f}',
              flush=True)
        ckpt = last_checkpoint(osp.join(ROOT, teacher_dir))
        schedule = [] if task == 'coco' or not args.student_iters else [
            f'train_cfg.max_iters={args.student_iters}',
            f'param_scheduler.0.end={args.student_iters}']
        runs = [] if args.no_alone else [
            (f'{task} student alone', spec['student'], schedule)]
        runs += [(run_name(task, variant), spec['distill'],
                  [f'model.teacher_ckpt={ckpt}', *VARIANTS[variant],
                   *schedule]) for variant in args.variants]
        rows = seeds_table(runs, args.seeds, metrics=(spec['metric'], ),
                           group=GROUP)
        tables.append(f'teacher (seed 0): {metrics[spec["metric"]]:.4f}\n' +
                      markdown_table(rows, (spec['metric'], ), args.seeds))
        for variant in args.variants:
            trend += acam_loss_trend(task, variant, args.seeds)
    print('\n\n'.join(tables))
    print('\n' + '\n'.join(trend))


if __name__ == '__main__':
    main()
