"""Every shipped config loads, and every distiller config builds."""
import glob
import os.path as osp

import pytest
from mmengine.registry import DefaultScope

from conftest import ROOT
from mmkd_ext.registry import MODELS
from mmkd_ext.utils.config import load_config

CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                       recursive=True)
    if '_base_' not in p)


def test_configs_found():
    assert len(CONFIGS) >= 10


@pytest.mark.parametrize('config', CONFIGS)
def test_config_loads(config):
    cfg = load_config(osp.join(ROOT, config))
    assert cfg.default_scope in ('mmpretrain', 'mmdet', 'mmseg')
    assert 'model' in cfg and 'train_dataloader' in cfg


DISTILLERS = [c for c in CONFIGS if 'Distiller' in open(
    osp.join(ROOT, c)).read() or osp.basename(c).startswith('kd_')]


@pytest.mark.parametrize('config', DISTILLERS)
def test_distiller_config_builds(config):
    cfg = load_config(osp.join(ROOT, config))
    model_cfg = cfg.model.copy()
    model_cfg.teacher_ckpt = None  # no downloads here
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(model_cfg)
    assert type(model).__name__.endswith('Distiller')
    assert sum(p.numel() for p in model.teacher.parameters()) > \
        sum(p.numel() for p in model.student.parameters())
