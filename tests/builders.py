"""Tiny models, batches and distillers shared by the unit tests."""
import copy
import functools

import torch
from mmengine.registry import DefaultScope

from conftest import config_path
from mmkd_ext.registry import MODELS
from mmkd_ext.utils.config import load_config


def classifier(width, num_classes=4):
    """An mmpretrain ResNet-18 classifier with ``width`` base channels."""
    return dict(
        type='ImageClassifier',
        backbone=dict(type='ResNet', depth=18, stem_channels=width,
                      base_channels=width, out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=num_classes,
                  in_channels=width * 8,
                  loss=dict(type='CrossEntropyLoss')))


def cls_batch(size=4, seed=0, num_classes=4):
    """Raw classification batch: uint8 (3, 32, 32) images, labels i % C."""
    from mmpretrain.structures import DataSample
    gen = torch.Generator().manual_seed(seed)
    return dict(
        inputs=[torch.randint(0, 255, (3, 32, 32), generator=gen,
                              dtype=torch.uint8) for _ in range(size)],
        data_samples=[DataSample().set_gt_label(i % num_classes)
                      for i in range(size)])


@functools.lru_cache()
def _smoke_retinanet():
    return load_config(
        config_path('smoke', 'retinanet_r18_fpn_tiny-coco.py')).model


def retinanet(width, **neck):
    """The smoke RetinaNet (R18) with an FPN of ``width`` channels."""
    model = copy.deepcopy(_smoke_retinanet())
    model.neck.update(out_channels=width, **neck)
    model.bbox_head.update(in_channels=width, feat_channels=width)
    return model


def det_batch(size=2, image=64):
    """Raw detection batch: uint8 (3, image, image) images, one box each."""
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    gen = torch.Generator().manual_seed(0)
    samples = []
    for i in range(size):
        sample = DetDataSample(metainfo=dict(
            img_shape=(image, image), ori_shape=(image, image),
            scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[4., 6., 30. + i, 40.]]),
            labels=torch.tensor([i % 3]))
        samples.append(sample)
    return dict(inputs=[torch.randint(0, 255, (3, image, image),
                                      generator=gen, dtype=torch.uint8)
                        for _ in range(size)], data_samples=samples)


def build_distiller(kind, scope, seed=0, **cfg):
    """``mmkd_ext.<kind>`` built under ``scope`` after seeding."""
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope(scope):
        return MODELS.build(dict(type=f'mmkd_ext.{kind}', **cfg))


def loss_of(model, data):
    """The distiller's ``loss`` dict on a raw batch."""
    return model(**model.data_preprocessor(data, training=True), mode='loss')
