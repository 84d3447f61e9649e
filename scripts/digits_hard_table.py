"""The digits table of configs/hard/README.md (HARD's toy experiment).

Trains the shift-equivariant CNN teacher once (seed 0) on centred 20x20
digits, then for each seed an MLP student alone, with plain KD, with KD on
randomly translated digits (the oracle: a hand-designed augmentation that is
the test distribution) and with HARD's learned translations (same seed, same
teacher). Every model is tested on the 360 validation digits translated by
up to +-3 px and on the same digits centred; prints markdown tables of
mean +- std top-1 and the augmentor's learned mean and std in pixels.

    .venv/bin/python scripts/digits_hard_table.py [--seeds 3] [--json FILE] \
        [--reuse-finished]
    .venv/bin/python scripts/digits_hard_table.py --select \
        [--candidates NAME ...] [--select-seed 0] [--json FILE]

``--select`` chooses HARD's settings instead: every candidate of
``CANDIDATES`` is trained on ``meta/fit.txt`` and tested on the held-out
training digits ``meta/holdout.txt`` (translated and centred), never on the
validation digits of the table.
"""
import argparse
import json
import os.path as osp

import torch

from experiment import (ROOT, add_reuse_finished_argument, last_checkpoint,
                        latest_test_metrics, make_digits, markdown_table,
                        run_tool, run_work_dir, seeds_table, teacher_metrics,
                        train_and_test)

TEACHER = 'configs/hard/cnn_digits20.py'
GROUP = 'digits_hard'  # work_dirs/<GROUP>/<run>_s<seed>
HARD = 'configs/hard/hard-shift_cnn_mlp_digits20.py'
CANVAS = 20  # pixels
# the test digits centred: translation std and max_shift set to 0
CENTRED = ['test_dataloader.dataset.pipeline.3.std=0.0',
           'test_dataloader.dataset.pipeline.3.max_shift=0']
# train on the fit part of train, validate and test on the held-out part
HOLDOUT = ['train_dataloader.dataset.ann_file=meta/fit.txt'] + [
    f'{loader}_dataloader.dataset.{key}'
    for loader in ('val', 'test')
    for key in ('split=train', 'ann_file=meta/holdout.txt')]
ROWS = [
    ('MLP alone', 'configs/hard/mlp_digits20.py', False),
    ('KD (tau 4)', 'configs/hard/kd_cnn_mlp_digits20.py', True),
    ('KD + random translations (oracle)',
     'configs/hard/kd-shift_cnn_mlp_digits20.py', True),
    ('HARD (defaults)', HARD, True),
]
# HARD settings tried by --select: cfg-options over the shipped config
# with the translations of the first two selection rounds (unbounded,
# bilinear: EARLIER), so that each name keeps meaning what it measured
EARLIER = ['model.augmentor.max_translation=None',
           'model.augmentor.whole_pixels=False']
APPEND_ALL = ['model.augment_mode=append', 'model.augment_fraction=1.0']
ANTITHETIC = ['model.augmentor.antithetic=True']
WHOLE_PIXELS = ['model.augmentor.whole_pixels=True']
MAX_3PX = ['model.augmentor.max_translation=0.15']
AUGMENTOR_LR_3E3 = ['optim_wrapper.augmentor.optimizer.lr=0.003']


def fraction(value):
    return [f'model.augment_fraction={value}']


def reg(value):
    return [f'model.reg_weight={value}']


CANDIDATES = [
    ('reg 0.1', reg(0.1)),
    ('augmentor lr 3e-3', AUGMENTOR_LR_3E3),
    ('append', ['model.augment_mode=append']),
    ('append, augmentor lr 3e-3',
     ['model.augment_mode=append', *AUGMENTOR_LR_3E3]),
    ('reg 0.01', reg(0.01)),
    ('consistency 0.3', ['model.consistency_weight=0.3']),
    ('mirrored', ['model.augmentor.symmetric=True']),
    ('fraction 0.75', fraction(0.75)),
    ('fraction 1', fraction(1.0)),
    ('fraction 1, reg 0.01', [*fraction(1.0), *reg(0.01)]),
    ('reg 0', reg(0.0)),
    ('fraction 0.75, reg 0', [*fraction(0.75), *reg(0.0)]),
    ('append, fraction 1', APPEND_ALL),
    ('fraction 0.6', fraction(0.6)),
    ('antithetic', ANTITHETIC),
    ('fraction 0.75, antithetic', [*fraction(0.75), *ANTITHETIC]),
    ('fraction 0.6, antithetic', [*fraction(0.6), *ANTITHETIC]),
    ('append, fraction 1, antithetic', [*APPEND_ALL, *ANTITHETIC]),
    ('reg 0.3', reg(0.3)),
    ('reg 1', reg(1.0)),
    ('whole pixels', WHOLE_PIXELS),
    ('whole pixels, antithetic', [*WHOLE_PIXELS, *ANTITHETIC]),
    ('consistency 3', ['model.consistency_weight=3.0']),
    ('consistency 10', ['model.consistency_weight=10.0']),
    ('reg 10', reg(10.0)),
    ('append, fraction 1, whole pixels', [*APPEND_ALL, *WHOLE_PIXELS]),
    ('append, fraction 1, whole pixels, antithetic',
     [*APPEND_ALL, *WHOLE_PIXELS, *ANTITHETIC]),
    ('max translation 3 px', MAX_3PX),
    ('max translation 4 px', ['model.augmentor.max_translation=0.2']),
    ('max translation 3 px, antithetic', [*MAX_3PX, *ANTITHETIC]),
    ('max translation 3 px, whole pixels', [*MAX_3PX, *WHOLE_PIXELS]),
]


def test_centred(config, work_dir, options=()):
    """Top-1 of ``work_dir``'s last checkpoint on the centred test digits
    (``options`` choose the test set as in training)."""
    out = osp.join(work_dir, 'centred')
    ckpt = last_checkpoint(osp.join(ROOT, work_dir))
    run_tool(['tools/test.py', config, ckpt, '--work-dir', out,
              '--cfg-options', *options, *CENTRED],
             osp.join(ROOT, out, 'run.log'))
    return latest_test_metrics(osp.join(ROOT, out))['accuracy/top1']


def learned_shift(work_dir):
    """(mean, std) of the learned translation in pixels, x then y, from
    the last checkpoint of ``work_dir``."""
    state = torch.load(last_checkpoint(osp.join(ROOT, work_dir)),
                       map_location='cpu', weights_only=False)['state_dict']
    mean = state['augmentor.delta.mean'] * CANVAS
    std = state['augmentor.delta.raw_std'].abs() * CANVAS
    return [round(v, 2) for v in mean.tolist()], \
        [round(v, 2) for v in std.tolist()]


def train_teacher():
    """Train (seed 0) and test the teacher, or reuse the one an earlier
    invocation trained."""
    make_digits()
    teacher_dir = osp.join('work_dirs', GROUP, 'teacher')
    metrics = teacher_metrics(TEACHER, teacher_dir)
    top1 = (metrics['accuracy/top1'], test_centred(TEACHER, teacher_dir))
    print('teacher (seed 0): translated {:.2f}, centred {:.2f}'.format(*top1),
          flush=True)
    return top1, [f'model.teacher_ckpt='
                  f'{last_checkpoint(osp.join(ROOT, teacher_dir))}']


def select(teacher, names, seed):
    """Each candidate of ``names`` (all by default) with plain KD and the
    oracle as references, on the held-out training digits, trained with
    ``seed``; returns ``{name: results}``."""
    results = {}
    runs = [('KD (tau 4)', 'configs/hard/kd_cnn_mlp_digits20.py', []),
            ('KD + random translations (oracle)',
             'configs/hard/kd-shift_cnn_mlp_digits20.py', [])] + [
        (f'HARD, {name}', HARD, [*EARLIER, *options])
        for name, options in CANDIDATES if not names or name in names]
    for name, config, options in runs:
        work_dir = run_work_dir(name, seed, 'digits_hard_select')
        options = [f'randomness.seed={seed}', *teacher, *HOLDOUT, *options]
        if osp.isfile(osp.join(ROOT, work_dir, 'last_checkpoint')):
            metrics = latest_test_metrics(osp.join(ROOT, work_dir))
        else:  # a run of an earlier invocation is reused
            metrics, _ = train_and_test(config, work_dir, options)
        results[name] = dict(
            translated=metrics['accuracy/top1'],
            centred=test_centred(config, work_dir, HOLDOUT))
        if config == HARD:
            results[name]['mu_px'], results[name]['sigma_px'] = \
                learned_shift(work_dir)
        print(name, results[name], flush=True)
    print(f'\n| HARD setting (held-out training digits, seed {seed}) | '
          'translated '
          '| centred | learned mu, sigma (px) |\n|---|---|---|---|')
    for name, r in results.items():
        print(f"| {name} | {r['translated']:.2f} | {r['centred']:.2f} | "
              f"{r.get('mu_px', '-')}, {r.get('sigma_px', '-')} |")
    return results


def table(teacher, teacher_top1, seeds, reuse_finished):
    """The table's rows over ``seeds``; returns ``{name: results}``."""
    runs = [(name, config, teacher if uses_teacher else [])
            for name, config, uses_teacher in ROWS]
    rows = seeds_table(runs, seeds, group=GROUP,
                       reuse_finished=reuse_finished)
    results = {}
    centred_rows = []
    for (name, config, _), (_, values, minutes) in zip(runs, rows):
        dirs = [run_work_dir(name, seed, GROUP) for seed in range(seeds)]
        results[name] = dict(
            translated=values['accuracy/top1'],
            centred=[test_centred(config, d) for d in dirs])
        if config == HARD:
            shifts = [learned_shift(d) for d in dirs]
            results[name]['mu_px'] = [m for m, _ in shifts]
            results[name]['sigma_px'] = [s for _, s in shifts]
        centred_rows.append(
            (name, {'accuracy/top1': results[name]['centred']}, minutes))
    print('\nteacher CNN (seed 0): translated test {:.2f}, centred test '
          '{:.2f}'.format(*teacher_top1))
    print('\ntranslated test digits')
    print(markdown_table(rows, ('accuracy/top1', ), seeds))
    print('\ncentred test digits (same checkpoints)')
    print(markdown_table(centred_rows, ('accuracy/top1', ), seeds))
    for name, r in results.items():
        if 'mu_px' in r:
            print(f'\n{name}: learned mu (px, x y) {r["mu_px"]}, sigma (px) '
                  f'{r["sigma_px"]}')
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--select', action='store_true',
                        help="choose HARD's settings on held-out training "
                        'digits instead of writing the table')
    parser.add_argument('--candidates', nargs='+', default=[],
                        help='with --select: only these candidates')
    parser.add_argument('--select-seed', type=int, default=0,
                        help='with --select: the seed of the runs')
    parser.add_argument('--json', help='also write the results here')
    add_reuse_finished_argument(parser)
    args = parser.parse_args()
    teacher_top1, teacher = train_teacher()
    results = select(teacher, args.candidates, args.select_seed) \
        if args.select else \
        table(teacher, teacher_top1, args.seeds, args.reuse_finished)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(teacher=teacher_top1, runs=results), f, indent=1)


if __name__ == '__main__':
    main()
