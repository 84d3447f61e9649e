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


CHANNEL_SENSITIVE = [  # configs whose own train pipeline has colour transforms
    c for c in CONFIGS if re.search(
        r"type='[\w.]*(Lighting|ColorJitter)'",
        open(osp.join(ROOT, c)).read())]


def test_channel_sensitive_configs_found():
    assert 'configs/pskd/pskd_resnet152_8xb32_in1k.py' in CHANNEL_SENSITIVE


def _packed_images(pipeline_cfg, img_path, draws):
    """The ``inputs`` that PackInputs hands to the data preprocessor, for
    ``draws`` passes of ``pipeline_cfg`` over one image (seeded)."""
    import random

    import numpy as np
    from mmpretrain.registry import TRANSFORMS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        transforms = [TRANSFORMS.build(t) for t in pipeline_cfg]
    packed = []
    for draw in range(draws):
        random.seed(draw)
        np.random.seed(draw)
        results = dict(img_path=img_path, gt_label=0, sample_idx=0)
        for transform in transforms:
            results = transform(results)
        packed.append(results['inputs'])
    return packed


@pytest.mark.parametrize('config', CHANNEL_SENSITIVE)
def test_train_and_test_pipelines_deliver_the_same_channel_order(
        config, tmp_path):
    """A pure-red image reaches the data preprocessor in the same channel
    order from the train and the test pipeline, and the preprocessor
    (to_rgb) makes it red in both. mmcv's adjust_lighting with to_rgb=True
    converts to RGB in place and never back, so Lighting(to_rgb=True)
    before a to_rgb preprocessor trains on BGR and tests on RGB."""
    import mmcv
    import numpy as np
    cfg = load_config(osp.join(ROOT, config))
    red = np.zeros((256, 320, 3), np.uint8)
    red[..., 2] = 255  # BGR, as mmcv reads and writes files
    path = str(tmp_path / 'red.png')
    mmcv.imwrite(red, path)
    train = _packed_images(cfg.train_dataloader.dataset.pipeline, path, 5)
    test = _packed_images(cfg.test_dataloader.dataset.pipeline, path, 1)
    channel_means = [img.float().mean((1, 2)) for img in train + test]
    # what PackInputs hands over: red in channel 2 (BGR) for every image
    assert [int(m.argmax()) for m in channel_means] == [2] * 6, \
        [m.tolist() for m in channel_means]
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        preprocessor = MODELS.build(
            dict(dict(type='ClsDataPreprocessor'), **cfg.data_preprocessor))
    for img in (train[0], test[0]):
        out = preprocessor(dict(inputs=[img]), training=False)['inputs'][0]
        assert int(out.mean((1, 2)).argmax()) == (
            0 if cfg.data_preprocessor.get('to_rgb') else 2)


def test_pca_lighting_keeps_channel_order_and_does_not_wrap():
    """mmkd_ext.PCALighting: the AlexNet shift in the image's own channel
    order, float32, no uint8 wrap-around (mmpretrain's Lighting casts back:
    255 plus a positive shift becomes about 0)."""
    import numpy as np
    from mmkd_ext.datasets.transforms import PCALighting
    eigval = [55.4625, 4.7940, 1.1475]
    eigvec = [[-0.5836, -0.6948, 0.4203], [-0.5808, -0.0045, -0.8140],
              [-0.5675, 0.7192, 0.4009]]
    img = np.zeros((4, 5, 3), np.uint8)
    img[..., 2] = 255
    np.random.seed(3)
    out = PCALighting(eigval, eigvec, alphastd=0.1)(dict(img=img))['img']
    np.random.seed(3)
    alpha = np.random.normal(0, 0.1, 3)
    shift = [sum(eigvec[c][j] * alpha[j] * eigval[j] for j in range(3))
             for c in range(3)]
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0, 0], np.array([0, 0, 255]) + shift,
                               rtol=1e-5)
    assert (out == out[0, 0]).all()
    with pytest.raises(ValueError, match='3x3'):
        PCALighting(eigval, eigvec[:2])


NAMED_BATCH = [c for c in CONFIGS
               if re.search(r'_(\d+)xb(\d+)[_.-]', osp.basename(c))]


@pytest.mark.parametrize('config', NAMED_BATCH)
def test_named_gpus_x_batch_is_the_lr_base(config):
    """A config named ``<N>xb<B>`` loads B images per GPU, and its
    learning rate is defined for N x B images (auto_scale_lr), so
    ``--auto-scale-lr`` on N GPUs keeps the config's lr."""
    gpus, batch = map(int, re.search(r'_(\d+)xb(\d+)[_.-]',
                                     osp.basename(config)).groups())
    cfg = load_config(osp.join(ROOT, config))
    assert cfg.train_dataloader.batch_size == batch
    if cfg.get('auto_scale_lr') is not None:
        assert cfg.auto_scale_lr.base_batch_size == gpus * batch


MCMI_CIFAR = [c for c in CONFIGS
              if c.startswith('configs/mcmi/') and c.endswith('_cifar100.py')]


def test_mcmi_cifar_configs_match_one_batch_of_64():
    """The MCMI authors (RepDistiller protocol) train one batch of 64 on one
    GPU. The 8 x 8 configs synchronise BatchNorm across the 8 GPUs, so its
    statistics cover the same 64 images, and their lr is for 64 images."""
    assert len(MCMI_CIFAR) == 12
    for config in MCMI_CIFAR:
        cfg = load_config(osp.join(ROOT, config))
        assert cfg.train_dataloader.batch_size * 8 == 64, config
        assert cfg.auto_scale_lr.base_batch_size == 64, config
        assert cfg.get('sync_bn') == 'torch', config


def _zoo_entries(library, folder):
    """{weights URL: config path relative to the library's configs/} of the
    installed ``library``'s metafile for ``folder``."""
    import importlib

    import yaml
    root = osp.join(osp.dirname(importlib.import_module(library).__file__),
                    '.mim', 'configs', folder)
    entries = {}
    for name in ('metafile.yml', 'metafile.yaml'):
        if osp.isfile(osp.join(root, name)):
            with open(osp.join(root, name)) as f:
                for model in yaml.safe_load(f).get('Models', []):
                    entries[model.get('Weights')] = model.get('Config', '')
    return entries


ZOO_TEACHERS = [c for c in DISTILLERS if re.search(
    r"teacher_ckpt=\(?'https://download\.openmmlab\.com",
    open(osp.join(ROOT, c)).read()) or 'acamkd_deeplabv3_r101' in c]


@pytest.mark.parametrize('config', ZOO_TEACHERS)
def test_zoo_teacher_matches_its_metafile_entry(config):
    """A teacher named by a model-zoo URL is the checkpoint that the
    library's metafile lists for the teacher config the distiller builds."""
    cfg = load_config(osp.join(ROOT, config))
    scope, path = cfg.model.teacher.split('::')
    folder = path.split('/')[0]
    entries = _zoo_entries(scope, folder)  # the scope is the package name
    assert cfg.model.teacher_ckpt in entries, (
        f'{cfg.model.teacher_ckpt} is not in {scope} configs/{folder} '
        f'metafile')
    assert entries[cfg.model.teacher_ckpt].endswith(path)


def test_nkd_deit_teacher_is_the_in21k_pretrained_one():
    """The authors' NKD DeiT-Tiny config distils from the ImageNet-21k
    pretrained DeiT III-Small (83.06), not the ImageNet-1k-only one
    (81.35): yzd-v/cls_KD, branch 1.0, deit-s3_distill_deit-t_img.py."""
    for config in ('configs/nkd/nkd_deit3-small_deit-tiny_4xb256_in1k.py',
                   'configs/kd/kd_deit3-small_deit-tiny_4xb256_in1k.py'):
        ckpt = load_config(osp.join(ROOT, config)).model.teacher_ckpt
        assert ckpt.endswith('deit3-small-p16_in21k-pre_3rdparty_in1k_'
                             '20221009-dcd90827.pth'), config


PAPER_SCALE = [c for c in CONFIGS if c.split('/')[1] in (
    'acamkd', 'kd', 'nkd', 'uskd', 'pskd', 'mcmi', 'hard', 'cached_kd',
    'feature_kd') and not re.search(r'tiny-(coco|cityscapes)|digits', c)]


def _gpus(config, cfg):
    named = re.search(r'_(\d+)xb(\d+)[_.-]', osp.basename(config))
    if named:
        return int(named.group(1))
    return cfg.auto_scale_lr.base_batch_size // cfg.train_dataloader.batch_size


def test_paper_scale_configs_found():
    assert len(PAPER_SCALE) >= 49


@pytest.mark.parametrize('config', PAPER_SCALE)
def test_paper_scale_config_has_its_readme_entry(config):
    """The method's README gives the exact multi-GPU command of every
    paper-scale config, and the URLs of the checkpoints it downloads."""
    cfg = load_config(osp.join(ROOT, config))
    readme = open(osp.join(ROOT, osp.dirname(config), 'README.md')).read()
    command = f'bash tools/dist_train.sh {config} {_gpus(config, cfg)}'
    assert command in readme
    model = cfg.model
    urls = [cfg.get('load_from'), model.get('teacher_ckpt')]
    student = model.get('student', model)
    urls += [student.get('pretrained'),
             (student.get('backbone', {}).get('init_cfg') or {}).get(
                 'checkpoint')]
    for url in urls:
        if isinstance(url, str) and '://' in url:
            assert url in readme, url
