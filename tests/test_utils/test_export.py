"""tools/export_student.py at unit level: training-only modules left out by
what the model declares, and a strict load into the student checked."""
import os.path as osp

import pytest
import torch
from mmengine.registry import DefaultScope

from conftest import ROOT, run_tool
from mmkd_ext.registry import MODELS
from mmkd_ext.utils.config import load_config

USKD = osp.join(ROOT, 'configs', 'demo', 'uskd_lenet5_digits-5pct.py')
LENET = osp.join(ROOT, 'configs', 'demo', 'lenet5_digits-5pct.py')
TEACHER = osp.join(ROOT, 'configs', 'demo', 'resnet18-w32_gray_digits.py')


def saved_checkpoint(tmp_path, config):
    """A checkpoint of the model of ``config`` as the Runner saves one: its
    state dict and the config text in ``meta.cfg``."""
    cfg = load_config(config)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
    path = tmp_path / 'trained.pth'
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(cfg=cfg.pretty_text, epoch=3)), path)
    return path, model


def test_uskd_weak_head_left_out_and_the_stock_student_loads_it(tmp_path):
    ckpt, model = saved_checkpoint(tmp_path, USKD)
    assert any('uskd_loss' in k for k in model.state_dict())
    out = tmp_path / 'student.pth'
    run_tool('export_student.py', ckpt, out, '--student-config', LENET)
    exported = torch.load(out, weights_only=True)
    assert not any('uskd_loss' in k for k in exported['state_dict'])
    assert exported['meta']['epoch'] == 3
    stock = MODELS.build(load_config(LENET).model)
    stock.load_state_dict(exported['state_dict'], strict=True)


def test_a_student_config_that_does_not_fit_names_the_keys(tmp_path):
    ckpt, _ = saved_checkpoint(tmp_path, USKD)
    out = tmp_path / 'student.pth'
    proc = run_tool('export_student.py', ckpt, out, '--student-config',
                    TEACHER, check=False)
    assert proc.returncode != 0
    assert 'error: the exported student does not load into the model of' \
        in proc.stderr
    assert 'head.fc.weight' in proc.stderr and not out.exists()


def test_a_checkpoint_without_its_config_asks_for_one(tmp_path):
    path = tmp_path / 'bare.pth'
    torch.save(dict(state_dict={}), path)
    proc = run_tool('export_student.py', path, tmp_path / 'out.pth',
                    check=False)
    assert proc.returncode != 0 and '--config' in proc.stderr
