"""Train-then-test runs through tools/train.py and tools/test.py, shared by
the demo and the digits tables. Each run's output goes to a log file."""
import os
import os.path as osp
import re
import statistics
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path[:0] = [ROOT, osp.join(ROOT, 'tools')]
from work_dir import (finished_test_metrics, last_checkpoint,  # noqa
                      latest_test_metrics)


def run_tool(args, log_path):
    """Run ``tools/...`` args with this interpreter from the repository
    root, output appended to ``log_path``; exit with its tail on failure.

    The tool runs on one CPU thread (``OMP_NUM_THREADS=1`` unless set):
    torch's CPU reductions depend on the thread count, so with the
    machine's default the same seed trains a different network on a
    machine with another number of cores."""
    os.makedirs(osp.dirname(log_path) or '.', exist_ok=True)
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', '1')
    with open(log_path, 'a') as log:
        proc = subprocess.run([sys.executable, *args], cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT, env=env)
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = ''.join(f.readlines()[-30:])
        sys.exit(f'{" ".join(args)} failed (exit {proc.returncode}); last '
                 f'lines of {log_path}:\n{tail}')


def make_digits():
    run_tool(['tools/make_tiny_data.py', 'digits', 'data/digits',
              '--overwrite'],
             osp.join(ROOT, 'work_dirs', 'make_tiny_data.log'))


def train_and_test(config, work_dir, cfg_options=()):
    """Train ``config`` into ``work_dir``, test its last checkpoint; return
    (the test metrics dict, seconds)."""
    start = time.time()
    log = osp.join(work_dir, 'run.log')
    options = ['--cfg-options', *cfg_options] if cfg_options else []
    run_tool(['tools/train.py', config, '--work-dir', work_dir, *options],
             log)
    run_tool(['tools/test.py', config, last_checkpoint(
        osp.join(ROOT, work_dir)), '--work-dir', work_dir, *options], log)
    return latest_test_metrics(osp.join(ROOT, work_dir)), time.time() - start


def teacher_metrics(config, work_dir):
    """Test metrics of a teacher trained once, with seed 0, into
    ``work_dir``: the checkpoint an earlier invocation left there is tested
    again, else the teacher is trained and tested now."""
    root_dir = osp.join(ROOT, work_dir)
    if not osp.isfile(osp.join(root_dir, 'last_checkpoint')):
        return train_and_test(config, work_dir, ['randomness.seed=0'])[0]
    run_tool(['tools/test.py', config, last_checkpoint(root_dir),
              '--work-dir', work_dir], osp.join(root_dir, 'run.log'))
    return latest_test_metrics(root_dir)


def metric_value(metrics, name):
    """``metrics[name]``; ``'key[i]'`` reads element i of a per-class list
    (e.g. ``'single-label/recall_classwise[3]'``)."""
    if name.endswith(']'):
        key, index = name[:-1].split('[')
        return metrics[key][int(index)]
    return metrics[name]


def run_work_dir(name, seed, group='digits'):
    """The work dir of run ``name`` with ``seed``:
    ``work_dirs/<group>/<name as a slug>_s<seed>``."""
    slug = re.sub(r'[^A-Za-z0-9.]+', '-', name).strip('-').lower()
    return osp.join('work_dirs', group, f'{slug}_s{seed}')


def seeds_table(runs, seeds, metrics=('accuracy/top1', ), group='digits',
                reuse=(), reuse_finished=False):
    """Train and test each ``(name, config, cfg_options)`` of ``runs`` for
    every seed; return rows ``(name, {metric: [per-seed values]}, minutes
    per run)``, each run in its ``run_work_dir``. Runs named in ``reuse``
    that another table already made (same name, seed and group) are read
    from their work dir instead (0 minutes); with ``reuse_finished`` so is
    every run whose work dir ends with a finished test (an interrupted
    table then trains only what is missing)."""
    rows = []
    for name, config, options in runs:
        values = {m: [] for m in metrics}
        minutes = 0.0
        for seed in range(seeds):
            work_dir = run_work_dir(name, seed, group)
            if name in reuse:
                result, seconds = latest_test_metrics(
                    osp.join(ROOT, work_dir)), 0.0
            elif reuse_finished and (finished := finished_test_metrics(
                    osp.join(ROOT, work_dir))) is not None:
                result, seconds = finished, 0.0
            else:
                result, seconds = train_and_test(
                    config, work_dir, [f'randomness.seed={seed}', *options])
            for m in metrics:
                values[m].append(metric_value(result, m))
            minutes += seconds / 60
            print(f'{name}, seed {seed}: ' + ', '.join(
                f'{m} {values[m][-1]:.2f}' for m in metrics), flush=True)
        rows.append((name, values, minutes / seeds))
    return rows


def add_reuse_finished_argument(parser):
    """``--reuse-finished``: the ``reuse_finished`` of ``seeds_table``."""
    parser.add_argument('--reuse-finished', action='store_true',
                        help='read runs an earlier invocation finished '
                        'instead of training them again')


def markdown_table(rows, metrics, seeds, decimals=2):
    """Mean ± std (per-seed values) of each metric, one row per run."""
    head = ' | '.join(f'{m} (mean ± std of {seeds})' for m in metrics)
    lines = [f'| run | {head} | per seed | CPU minutes per run |',
             '|---|' + '---|' * len(metrics) + '---|---|']
    for name, values, minutes in rows:
        cells = []
        for m in metrics:
            std = statistics.stdev(values[m]) if len(values[m]) > 1 else 0
            cells.append(f'{statistics.mean(values[m]):.{decimals}f} ± '
                         f'{std:.{decimals}f}')
        per_seed = '; '.join(
            ', '.join(f'{v:.{decimals}f}' for v in values[m])
            for m in metrics)
        lines.append(f'| {name} | {" | ".join(cells)} | {per_seed} | '
                     f'{minutes:.1f} |')
    return '\n'.join(lines)
