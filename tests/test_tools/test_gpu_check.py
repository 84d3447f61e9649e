"""The prepared GPU check, run on CPU: tools/gpu_check.sh with a carry
folder (here empty: the stack is installed) takes its CPU path, and every
row of the table that has a CPU meaning passes."""
import os
import os.path as osp
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def test_gpu_check_cpu_path(tmp_path):
    carry = tmp_path / 'carry'
    carry.mkdir()
    env = dict(os.environ, PYTHON=sys.executable, CUDA_VISIBLE_DEVICES='',
               OMP_NUM_THREADS='2')
    proc = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'gpu_check.sh'), str(carry),
         '--data-root', str(tmp_path / 'data')],
        cwd=tmp_path, env=env, capture_output=True, text=True)
    out = proc.stdout
    assert proc.returncode == 0, (out + proc.stderr)[-3000:]
    rows = [line.split(' | ') for line in out.splitlines()
            if line.startswith('| ') and not line.startswith('| check')]
    results = {row[0].lstrip('| '): row[-1].rstrip(' |') for row in rows}
    assert results['mmcv nms (cpu)'] == 'yes'
    assert results['mmcv roi_align (cpu)'] == 'yes'
    assert results['mmcv deform_conv2d (cpu)'] == 'yes'
    assert results['mmcv sigmoid focal loss (cpu)'] == 'n/a'
    steps = [k for k in results if k.startswith('one step of')]
    assert len(steps) == 6 and all(results[k] == 'yes' for k in steps)
    assert results['STCA-FF attention kernel'] == 'yes'
    assert 'FLASH_ATTENTION' in out
