"""Train-then-test runs through tools/train.py and tools/test.py, shared by
the demo and the digits tables. Each run's output goes to a log file."""
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
from mmkd_ext.utils.work_dir import last_checkpoint, latest_test_metrics  # noqa


def run_tool(args, log_path):
    """Run ``tools/...`` args with this interpreter from the repository
    root, output appended to ``log_path``; exit with its tail on failure."""
    os.makedirs(osp.dirname(log_path) or '.', exist_ok=True)
    with open(log_path, 'a') as log:
        proc = subprocess.run([sys.executable, *args], cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = ''.join(f.readlines()[-30:])
        sys.exit(f'{" ".join(args)} failed (exit {proc.returncode}); last '
                 f'lines of {log_path}:\n{tail}')


def make_digits():
    run_tool(['tools/make_tiny_data.py', 'digits', 'data/digits'],
             osp.join(ROOT, 'work_dirs', 'make_tiny_data.log'))


def train_and_test(config, work_dir, cfg_options=(), metric='accuracy/top1'):
    """Train ``config`` into ``work_dir``, test its last checkpoint; return
    (metric value, seconds)."""
    start = time.time()
    log = osp.join(work_dir, 'run.log')
    options = ['--cfg-options', *cfg_options] if cfg_options else []
    run_tool(['tools/train.py', config, '--work-dir', work_dir, *options],
             log)
    run_tool(['tools/test.py', config, last_checkpoint(
        osp.join(ROOT, work_dir)), '--work-dir', work_dir, *options], log)
    value = latest_test_metrics(osp.join(ROOT, work_dir))[metric]
    return value, time.time() - start
