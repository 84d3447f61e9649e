# Smoke test: the stock mmdet RetinaNet config with a ResNet-18 backbone and
# narrow FPN/head, on the tiny COCO of
# `tools/make_tiny_data.py coco data/tiny_coco` (128x128 images), on CPU.
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_1x_coco.py']

data_root = 'data/tiny_coco/'
# tiny COCO holds the first three COCO categories, with their COCO ids
metainfo = dict(classes=('person', 'bicycle', 'car'))

model = dict(
    backbone=dict(depth=18, init_cfg=None),
    neck=dict(in_channels=[64, 128, 256, 512], out_channels=32),
    bbox_head=dict(
        num_classes=3, in_channels=32, feat_channels=32, stacked_convs=1),
    # a few iterations give low scores: keep them so that CocoMetric has
    # detections to score
    test_cfg=dict(score_thr=0.0))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
tiny_loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(
    **tiny_loader,
    batch_size=4,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        filter_cfg=dict(min_size=8),
        pipeline=train_pipeline))
val_dataloader = dict(
    **tiny_loader,
    batch_size=2,
    dataset=dict(
        data_root=data_root, metainfo=metainfo, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2),
    dict(type='MultiStepLR', begin=0, end=100, by_epoch=True,
         milestones=[100])
]
train_cfg = dict(max_epochs=2, val_interval=100)
default_hooks = dict(logger=dict(interval=1))
randomness = dict(seed=0)
