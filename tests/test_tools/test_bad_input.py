"""Each foreseeable user mistake gives a clear message naming the file or
key, not a traceback from deep inside torch or mmengine."""
import argparse

import torch

from conftest import config_path, run_tool
from tiny_data import make_tiny_data

SMOKE_CLS = config_path('smoke', 'resnet18_tiny-imagenet.py')


def output(proc):
    return proc.stdout + proc.stderr


def test_missing_config(tmp_path):
    proc = run_tool('train.py', tmp_path / 'nope.py', check=False)
    assert proc.returncode != 0
    assert 'nope.py' in output(proc) and 'does not exist' in output(proc)
    assert 'Traceback' not in output(proc)


def test_missing_local_base(tmp_path):
    cfg = tmp_path / 'child.py'
    cfg.write_text("_base_ = ['./missing_base.py']\n")
    proc = run_tool('test.py', cfg, 'x.pth', check=False)
    assert proc.returncode != 0
    assert 'missing_base.py' in output(proc) and 'does not exist' in \
        output(proc)


def test_scope_base_when_library_not_importable(tmp_path):
    # Shadow mmdet with a package that fails to import, as on a machine
    # where mmdet is broken or missing.
    shadow = tmp_path / 'shadow' / 'mmdet'
    shadow.mkdir(parents=True)
    (shadow / '__init__.py').write_text(
        "raise ImportError('mmdet is disabled for this test')\n")
    env = dict(__import__('os').environ,
               PYTHONPATH=str(tmp_path / 'shadow'))
    config = config_path('smoke', 'retinanet_r18_fpn_tiny-coco.py')
    proc = run_tool('train.py', config, env=env, check=False)
    assert proc.returncode != 0
    out = output(proc)
    assert "mmdet:: base" in out and 'retinanet_r18_fpn_tiny-coco.py' in out
    assert 'Traceback' not in out


def test_resume_path_missing(tmp_path):
    proc = run_tool('train.py', SMOKE_CLS, '--work-dir', tmp_path,
                    '--resume', tmp_path / 'gone.pth', check=False)
    assert proc.returncode != 0
    assert 'gone.pth' in output(proc) and 'does not exist' in output(proc)


def test_test_checkpoint_missing(tmp_path):
    proc = run_tool('test.py', SMOKE_CLS, tmp_path / 'gone.pth', check=False)
    assert proc.returncode != 0
    assert 'gone.pth' in output(proc) and 'does not exist' in output(proc)


def test_checkpoint_with_disallowed_type(tmp_path):
    make_tiny_data('imagenet', str(tmp_path / 'data' / 'tiny_imagenet'))
    ckpt = tmp_path / 'old_style.pth'
    torch.save(dict(state_dict={}, meta=dict(args=argparse.Namespace(lr=1))),
               ckpt)
    proc = run_tool('test.py', SMOKE_CLS, ckpt, '--work-dir',
                    tmp_path / 'wd', cwd=tmp_path, check=False)
    assert proc.returncode != 0
    assert "'argparse.Namespace'" in output(proc)
    assert 'old_style.pth' in output(proc)


def test_tiny_data_refuses_foreign_folder(tmp_path):
    (tmp_path / 'notes.txt').write_text('mine')
    proc = run_tool('make_tiny_data.py', 'coco', tmp_path, check=False)
    assert proc.returncode != 0
    assert 'not empty' in output(proc) and '--overwrite' in output(proc)
    assert (tmp_path / 'notes.txt').read_text() == 'mine'
