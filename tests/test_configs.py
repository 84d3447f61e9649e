"""Every shipped config loads, and every distiller config builds."""
import glob
import math
import os.path as osp
import re

import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import DefaultScope

from conftest import ROOT
from references import uskd_reference
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


DISTILLERS = [c for c in CONFIGS if re.search(
    r"type='mmkd_ext\.\w*Distiller'", open(osp.join(ROOT, c)).read())
    or osp.basename(c).startswith(('kd_', 'nkd_'))]


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


SELF_KD = [c for c in CONFIGS
           if osp.basename(c).startswith(('uskd_', 'pskd_', 'mcmi_'))]


@pytest.mark.parametrize('config', SELF_KD)
def test_self_kd_config_trains_one_step(config):
    """USKD configs: the mid feature has the d_mid they declare; PS-KD
    configs: the head reads and writes its memory; MCMI configs: the head
    uses its centroids."""
    from mmpretrain.structures import DataSample
    cfg = load_config(osp.join(ROOT, config))
    model_cfg = cfg.model.copy()
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    model_cfg.pop('train_cfg', None)  # no mixup: 2 images only
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(model_cfg)
    if hasattr(model.head, 'memory'):
        model.head.memory.allocate(2)
    if hasattr(model.head, 'cmi_centroids'):
        model.head.cmi_centroids.value.fill_(1 / model.head.num_classes)
        model.head.cmi_centroids.computed.fill_(True)
    size = 32 if 'cifar' in config or 'digits' in config else 224
    channels = len(cfg.data_preprocessor.get('mean', (0, 0, 0)))
    data = model.data_preprocessor(dict(
        inputs=[torch.randint(0, 255, (channels, size, size),
                              dtype=torch.uint8)
                for _ in range(2)],
        data_samples=[DataSample(metainfo=dict(sample_idx=i)).set_gt_label(i)
                      for i in range(2)]),
        training=True)
    torch.manual_seed(0)  # the same drop-path draws in both forwards
    losses = model(**data, mode='loss')
    labels = torch.arange(2)
    torch.manual_seed(0)
    with torch.no_grad():
        feats = model.extract_feat(data['inputs'])
        logits = model.head(feats)
    if 'uskd' in config:
        expected = uskd_reference(model.head.uskd_loss, logits,
                                  feats[model.head.mid_index], labels,
                                  model.head.uskd_loss.rank_use_logprob)
        assert losses['loss_uskd'].item() == pytest.approx(
            float(expected), rel=1e-4)
    elif 'pskd' in config:  # empty memory: the targets are the labels
        assert losses['loss'].item() == pytest.approx(
            F.cross_entropy(logits, labels).item(), rel=1e-4)
    else:  # MCMI with uniform centroids: CE - 0.25 KL(P || uniform)
        log_p = F.log_softmax(logits, 1)
        kl = (log_p.exp() * (log_p + math.log(logits.shape[1]))).sum(1)
        assert losses['loss'].item() == pytest.approx(
            (F.cross_entropy(logits, labels) - 0.25 * kl.mean()).item(),
            rel=1e-4)
        assert losses['cmi'].item() == pytest.approx(kl.mean().item(),
                                                     rel=1e-4)
