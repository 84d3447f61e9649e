"""Golden first-step losses of every demo, smoke, tiny and digits config.

For each config: the model is built as the runner builds it (the config's
``default_scope``, its ``data_preprocessor``; a distiller's ``teacher_ckpt``
is dropped, so its teacher keeps the seeded random initialisation), seeded
with ``torch.manual_seed(0)``, initialised, given its optimizer from
``optim_wrapper``, and runs ``train_step`` on one fixed generated batch. The
step's logged values (``loss``, ``loss_<name>`` and logged parts) are kept in
``tests/data/golden_losses.json``; ``tests/test_golden_losses.py`` checks
them at ``RTOL`` / ``ATOL``. A change of any loss's maths, of a default, or
of which tensors reach a loss moves at least one value.

Regenerate (only after a deliberate change, listed in the commit message)::

    .venv/bin/python tests/golden_losses.py --update
"""
import argparse
import glob
import json
import os.path as osp
import sys

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
GOLDEN = osp.join(ROOT, 'tests', 'data', 'golden_losses.json')
# Across CPUs (other SIMD paths) the first step agrees to ~1e-6 relative.
RTOL, ATOL = 1e-4, 1e-6
BATCH_SIZE = 4
SEED = 0


def golden_configs():
    """Repository-relative paths of the configs that train on data we
    generate: the demo, smoke and tiny configs and the digits configs."""
    paths = glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    return sorted(
        osp.relpath(p, ROOT) for p in paths if '_base_' not in p and (
            '/demo/' in p or '/smoke/' in p or 'tiny-' in osp.basename(p)
            or 'digits' in osp.basename(p)))


def _image_size(config, task):
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
    height, width = _image_size(config, task)
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


def _num_classes(model):
    student = getattr(model, 'student', model)
    for head in ('head', 'bbox_head', 'decode_head'):
        if hasattr(student, head):
            return getattr(student, head).num_classes
    raise ValueError(f'no head with num_classes in {type(student).__name__}')


def _prepare_method_state(model, batch_size):
    """What the methods' hooks set before the first step: the PS-KD memory,
    uniform MCMI centroids."""
    head = getattr(getattr(model, 'student', model), 'head', None)
    if hasattr(head, 'memory'):
        head.memory.allocate(batch_size)
    if hasattr(head, 'cmi_centroids'):
        head.cmi_centroids.value.fill_(1 / head.num_classes)
        head.cmi_centroids.computed.fill_(True)


def first_step_losses(config):
    """``{name: value}`` logged by the first ``train_step`` of ``config``."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope
    from mmengine.runner import set_random_seed
    from mmkd_ext.registry import MODELS
    from mmkd_ext.utils.config import load_config
    cfg = load_config(osp.join(ROOT, config))
    model_cfg = cfg.model.copy()
    if 'teacher_ckpt' in model_cfg:
        model_cfg.teacher_ckpt = None
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    torch.manual_seed(SEED)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(model_cfg)
        model.init_weights()
        _prepare_method_state(model, BATCH_SIZE)
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
        data = fixed_batch(config, cfg, _num_classes(model))
        model.train()
        set_random_seed(SEED)  # batch augments (mixup) draw from numpy
        log_vars = model.train_step(data, optim_wrapper)
    return {k: float(v) for k, v in sorted(log_vars.items())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--update', action='store_true',
                        help=f'write {osp.relpath(GOLDEN, ROOT)}')
    parser.add_argument('configs', nargs='*',
                        help='only these configs (default: all)')
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)
    import mmkd_ext  # noqa: F401
    from mmengine.logging import MMLogger
    MMLogger.get_instance('golden_losses', log_level='WARNING')
    golden = {}
    if args.configs and osp.isfile(GOLDEN):  # update some, keep the rest
        with open(GOLDEN) as f:
            golden = json.load(f)
    for config in args.configs or golden_configs():
        golden[config] = first_step_losses(config)
        print(config, golden[config], flush=True)
    if args.update:
        with open(GOLDEN, 'w') as f:
            json.dump(golden, f, indent=1, sort_keys=True)
            f.write('\n')
        print(f'wrote {GOLDEN}')


if __name__ == '__main__':
    main()
