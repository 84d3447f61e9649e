"""Every config of the baseline folders (configs/dkd, dist, cwd, pkd, mgd,
fgd) trains one iteration: the paper-scale ones here, on a generated batch
(tools/synthetic_batch.py: 32x32 images for ImageNet configs, 128x128 for
COCO, 64x128 for Cityscapes; random teacher weights, no pretrained
backbones: nothing is downloaded), the tiny and digits ones through the
golden first-step losses (tests/test_golden_losses.py)."""
import glob
import math
import os.path as osp

import pytest

from conftest import ROOT
from golden_losses import golden_configs

FOLDERS = ('dkd', 'dist', 'cwd', 'pkd', 'mgd', 'fgd')
CONFIGS = sorted(
    osp.relpath(p, ROOT) for folder in FOLDERS
    for p in glob.glob(osp.join(ROOT, 'configs', folder, '*.py')))
PAPER_SCALE = [c for c in CONFIGS if c not in golden_configs()]


def test_every_folder_has_paper_and_tiny_configs():
    for folder in FOLDERS:
        mine = [c for c in CONFIGS if f'/{folder}/' in c]
        assert any(c in PAPER_SCALE for c in mine), folder
        assert any(c not in PAPER_SCALE for c in mine), folder


def without_downloads(cfg):
    """``cfg`` (a model config, changed in place) with every
    ``pretrained`` and every ``init_cfg`` of type Pretrained set to None."""
    if isinstance(cfg, dict):
        for key, value in cfg.items():
            if key == 'pretrained' or (key == 'init_cfg' and isinstance(
                    value, dict) and value.get('type') == 'Pretrained'):
                cfg[key] = None
            else:
                without_downloads(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            without_downloads(value)
    return cfg


def for_generated_data(cfg, model_cfg):
    """``model_cfg`` of a paper-scale distiller changed in place to build
    without downloads and to pad mmseg batches to the generated 64x128 (not
    to the 512x1024 crops)."""
    from mmkd_ext.models.distillers.base import load_model_config
    model_cfg.teacher = load_model_config(model_cfg.teacher, 'teacher')
    without_downloads(model_cfg)
    if cfg.default_scope == 'mmseg':
        for model in (model_cfg, model_cfg.student, model_cfg.teacher):
            if model.get('data_preprocessor'):
                model.data_preprocessor.size = (64, 128)


@pytest.mark.parametrize('config', PAPER_SCALE)
def test_paper_config_trains_one_iteration(config):
    from mmengine.registry import DefaultScope
    from mmengine.runner import set_random_seed
    from synthetic_batch import (SEED, build_for_training, fixed_batch,
                                 num_classes)
    from mmkd_ext.utils.config import load_config
    scope = load_config(osp.join(ROOT, config)).default_scope
    with DefaultScope.overwrite_default_scope(scope):
        cfg, model, optim_wrapper = build_for_training(
            config, ROOT, for_generated_data)
        student = model.student
        classes = student.roi_head.bbox_head.num_classes if hasattr(
            student, 'roi_head') else num_classes(model)
        data = fixed_batch(config, cfg, classes)
        model.train()
        set_random_seed(SEED)
        log_vars = model.train_step(data, optim_wrapper)
    (name, ) = cfg.model.distill_losses
    value = float(log_vars[f'loss_{name}'])
    assert math.isfinite(value) and value > 0, (config, log_vars)
    assert math.isfinite(float(log_vars['loss']))
