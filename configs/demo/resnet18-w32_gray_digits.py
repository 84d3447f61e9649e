# Demo teacher: mmpretrain's ResNet-18 (32 base channels, 2.8 M parameters)
# on the grayscale handwritten digits of
# `tools/make_tiny_data.py digits data/digits` (1,437 train / 360 val, real
# data), trained well: all training images, random shifts (RandomCrop with
# 3 px of padding), 30 epochs.
_base_ = ['../smoke/resnet18_tiny-imagenet.py']

data_root = 'data/digits'
classes = ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')

model = dict(
    backbone=dict(in_channels=1, stem_channels=32, base_channels=32),
    head=dict(num_classes=len(classes), in_channels=256))
data_preprocessor = dict(
    num_classes=len(classes), mean=[127.5], std=[127.5], to_rgb=False)

train_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='RandomCrop', crop_size=32, padding=3),
    dict(type='PackInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='PackInputs')
]
train_dataloader = dict(
    batch_size=64,
    dataset=dict(data_root=data_root, classes=classes,
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    dataset=dict(data_root=data_root, classes=classes,
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='Accuracy', topk=(1, )),
    dict(type='mmkd_ext.ExpectedCalibrationError', num_bins=15)
]
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(lr=0.1, weight_decay=5e-4))
param_scheduler = dict(
    _delete_=True, type='CosineAnnealingLR', T_max=30, by_epoch=True)
train_cfg = dict(max_epochs=30, val_interval=30)
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(interval=30))
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)
