"""Generated batches and freshly built models of any config, for the checks
that need a model's first training step without a dataset: the golden
losses of the tests and tools/gpu_check.py."""
import os.path as osp

import torch

BATCH_SIZE = 4
SEED = 0


def image_size(config, task):
    if task == 'mmdet':
        return 128, 128
    if task == 'mmseg':
        return 64, 128
    return (20, 20) if 'digits20' in config else (32, 32)


def fixed_batch(config, cfg, num_classes):
    """One generated batch for ``config`` (a dict of ``inputs`` and
    ``data_samples`` as a dataloader yields it), the same on every call."""
    task = cfg.default_scope
    gen = torch.Generator().manual_seed(SEED)
    height, width = image_size(config, task)
    mean = cfg.model.get('data_preprocessor', None) or \
        cfg.get('data_preprocessor') or {}
    channels = len(mean.get('mean', (0, 0, 0)))
    inputs = [torch.randint(0, 256, (channels, height, width), generator=gen,
                            dtype=torch.uint8) for _ in range(BATCH_SIZE)]
    labels = torch.randint(0, num_classes, (BATCH_SIZE, ), generator=gen)
    if task == 'mmpretrain':
        from mmpretrain.structures import DataSample
        samples = [DataSample(metainfo=dict(sample_idx=i)).set_gt_label(
            int(labels[i])) for i in range(BATCH_SIZE)]
        if cfg.model.get('teacher') == 'cached':  # what the cache gives
            logits = torch.randn(BATCH_SIZE, num_classes, generator=gen)
            for sample, row in zip(samples, logits.log_softmax(dim=1)):
                sample.set_metainfo(dict(teacher_logits=row))
    elif task == 'mmdet':
        samples = [_det_sample(gen, height, width, num_classes)
                   for _ in range(BATCH_SIZE)]
    else:
        samples = [_seg_sample(gen, height, width, num_classes)
                   for _ in range(BATCH_SIZE)]
    return dict(inputs=inputs, data_samples=samples)


def _det_sample(gen, height, width, num_classes, num_boxes=3):
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    xy = torch.rand(num_boxes, 2, generator=gen) * torch.tensor(
        [width * 0.6, height * 0.6])
    wh = 12 + torch.rand(num_boxes, 2, generator=gen) * torch.tensor(
        [width * 0.35, height * 0.35])
    instances = InstanceData(
        bboxes=torch.cat([xy, xy + wh], dim=1),
        labels=torch.randint(0, num_classes, (num_boxes, ), generator=gen))
    shape = (height, width)
    sample = DetDataSample(metainfo=dict(
        img_shape=shape, ori_shape=shape, pad_shape=shape,
        scale_factor=(1.0, 1.0)))
    sample.gt_instances = instances
    return sample


def _seg_sample(gen, height, width, num_classes):
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    shape = (height, width)
    sample = SegDataSample(metainfo=dict(
        img_shape=shape, ori_shape=shape, pad_shape=shape))
    sample.gt_sem_seg = PixelData(data=torch.randint(
        0, num_classes, (1, height, width), generator=gen))
    return sample


def num_classes(model):
    student = getattr(model, 'student', model)
    for head in ('head', 'bbox_head', 'decode_head'):
        if hasattr(student, head):
            return getattr(student, head).num_classes
    raise ValueError(f'no head with num_classes in {type(student).__name__}')


def prepare_method_state(model, batch_size):
    """What the methods' hooks set before the first step: the PS-KD memory,
    uniform MCMI centroids."""
    head = getattr(getattr(model, 'student', model), 'head', None)
    if hasattr(head, 'memory'):
        head.memory.allocate(batch_size)
    if hasattr(head, 'cmi_centroids'):
        head.cmi_centroids.value.fill_(1 / head.num_classes)
        head.cmi_centroids.computed.fill_(True)


def build_for_training(config, root, adjust_model_cfg=None):
    """``(cfg, model, optim_wrapper)`` of ``config`` (relative to ``root``)
    as the runner builds them for training: the config's default scope and
    ``data_preprocessor``, a distiller's teacher left at its seeded random
    initialisation (no ``teacher_ckpt``), ``init_weights``, the method
    state the hooks would set, and the optimizer of ``optim_wrapper``.
    ``adjust_model_cfg(cfg, model_cfg)``, when given, changes the model
    config in place before the build. Seeded with ``SEED``; call it under
    the config's default scope."""
    from mmengine.optim import build_optim_wrapper
    from mmkd_ext.registry import MODELS
    from mmkd_ext.utils.config import load_config
    cfg = load_config(osp.join(root, config))
    model_cfg = cfg.model.copy()
    if 'teacher_ckpt' in model_cfg:
        model_cfg.teacher_ckpt = None
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    if adjust_model_cfg is not None:
        adjust_model_cfg(cfg, model_cfg)
    torch.manual_seed(SEED)
    model = MODELS.build(model_cfg)
    model.init_weights()
    prepare_method_state(model, BATCH_SIZE)
    return cfg, model, build_optim_wrapper(model, cfg.optim_wrapper)
