# Smoke test: the stock mmseg DeepLabV3 Cityscapes config with a ResNet-18
# backbone, BN instead of SyncBN and a 64x128 crop, on the tiny Cityscapes of
# `tools/make_tiny_data.py cityscapes data/tiny_cityscapes`, on CPU.
_base_ = ['mmseg::deeplabv3/deeplabv3_r50-d8_4xb2-40k_cityscapes-512x1024.py']

data_root = 'data/tiny_cityscapes/'
crop_size = (64, 128)
norm_cfg = dict(type='BN', requires_grad=True)

model = dict(
    pretrained=None,
    data_preprocessor=dict(size=crop_size),
    backbone=dict(depth=18, norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=512, channels=32, dilations=(1, 2, 3, 4),
        norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=256, channels=16, norm_cfg=norm_cfg))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(128, 64), ratio_range=(1.0, 1.5),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 64), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
tiny_loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(
    **tiny_loader,
    batch_size=4,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    **tiny_loader,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=100,
         by_epoch=False)
]
train_cfg = dict(max_iters=4, val_interval=100)
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=2))
randomness = dict(seed=0)
