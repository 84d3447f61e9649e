"""The digits table of configs/nkd/README.md.

Trains the demo teacher once (seed 0), then for each seed the demo student
alone, with KD and with NKD (same seed, same teacher), evaluates each on the
360 validation digits and prints a markdown table of mean +- std top-1.

    .venv/bin/python scripts/digits_kd_table.py [--seeds 3]
"""
import argparse
import os.path as osp
import statistics

from experiment import ROOT, last_checkpoint, make_digits, train_and_test

STUDENTS = [
    ('student alone', 'configs/demo/resnet18-w16_digits.py'),
    ('KD (tau 4)', 'configs/demo/kd_resnet18_resnet18-w16_digits.py'),
    ('NKD (tau 1, gamma 1.5)',
     'configs/demo/nkd_resnet18_resnet18-w16_digits.py'),
]
WORK = osp.join('work_dirs', 'digits_kd_table')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    args = parser.parse_args()
    make_digits()
    teacher_dir = osp.join(WORK, 'teacher')
    teacher_top1, _ = train_and_test('configs/demo/resnet18_digits.py',
                                     teacher_dir, ['randomness.seed=0'])
    teacher_ckpt = last_checkpoint(osp.join(ROOT, teacher_dir))
    print(f'teacher (seed 0): {teacher_top1:.2f}', flush=True)
    rows = []
    for name, config in STUDENTS:
        scores, minutes = [], 0.0
        for seed in range(args.seeds):
            options = [f'randomness.seed={seed}']
            if 'nkd_' in config or 'kd_' in config:
                options.append(f'model.teacher_ckpt={teacher_ckpt}')
            top1, seconds = train_and_test(
                config, osp.join(WORK, f'{osp.basename(config)[:-3]}_s{seed}'),
                options)
            scores.append(top1)
            minutes += seconds / 60
            print(f'{name}, seed {seed}: {top1:.2f}', flush=True)
        rows.append((name, scores, minutes / args.seeds))
    print(f'\n| model | top-1 (mean ± std, {args.seeds} seeds) | per seed | '
          f'CPU minutes per run |')
    print('|---|---|---|---|')
    print(f'| teacher ResNet-18 (seed 0) | {teacher_top1:.2f} | - | - |')
    for name, scores, minutes in rows:
        std = statistics.stdev(scores) if len(scores) > 1 else 0.0
        print(f'| {name} | {statistics.mean(scores):.2f} ± {std:.2f} | '
              f'{", ".join(f"{s:.2f}" for s in scores)} | {minutes:.1f} |')


if __name__ == '__main__':
    main()
