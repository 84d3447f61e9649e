"""The demo behind `make demo`: train and evaluate on real handwritten digits.

Writes the digits dataset (scikit-learn's, in the ImageNet layout), then for
each model of ``RUNS`` trains it with ``tools/train.py``, evaluates the last
checkpoint with ``tools/test.py`` and prints the top-1 accuracies. Logs go to
``work_dirs/demo/<name>/``.
"""
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
from mmkd_ext.utils.work_dir import last_checkpoint, latest_test_metrics  # noqa

# (name, config, what it is); later runs (distillation) append here.
RUNS = [
    ('teacher', 'configs/demo/resnet18_digits.py',
     'ResNet-18, 64 base channels'),
    ('student', 'configs/demo/resnet18-w16_digits.py',
     'ResNet-18, 16 base channels, trained alone'),
]
WORK_ROOT = osp.join('work_dirs', 'demo')


def run_tool(args, log_path):
    """Run a tool with this interpreter, its output into ``log_path``."""
    with open(log_path, 'a') as log:
        proc = subprocess.run([sys.executable, *args], cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = ''.join(f.readlines()[-30:])
        sys.exit(f'{" ".join(args)} failed (exit {proc.returncode}); last '
                 f'lines of {log_path}:\n{tail}')


def main():
    os.chdir(ROOT)
    print('[demo] writing the digits dataset to data/digits')
    run_tool(['tools/make_tiny_data.py', 'digits', 'data/digits'],
             osp.join('work_dirs', 'make_tiny_data.log'))
    results = []
    for name, config, what in RUNS:
        work_dir = osp.join(WORK_ROOT, name)
        os.makedirs(work_dir, exist_ok=True)
        log = osp.join(work_dir, 'demo.log')
        start = time.time()
        print(f'[demo] training {name} ({what}) with {config}', flush=True)
        run_tool(['tools/train.py', config, '--work-dir', work_dir], log)
        ckpt = last_checkpoint(work_dir)
        print(f'[demo] testing {ckpt}', flush=True)
        run_tool(['tools/test.py', config, ckpt, '--work-dir', work_dir], log)
        top1 = latest_test_metrics(work_dir)['accuracy/top1']
        results.append((name, what, top1, time.time() - start))
        print(f'[demo] {name}: top-1 {top1:.2f}% ({time.time() - start:.0f}s)')
    print('\n[demo] digits val (360 images), top-1 accuracy:')
    for name, what, top1, seconds in results:
        print(f'  {name:<10} {top1:6.2f}%   {what} ({seconds:.0f}s)')


if __name__ == '__main__':
    main()
