# HARD toy teacher: a shift-equivariant CNN (stride 1, circular padding,
# global average pooling) on the grayscale digits of
# `tools/make_tiny_data.py digits data/digits` (scikit-learn's 8x8 digits),
# at 12x12 centred in 20x20 (the affNIST protocol of 28x28 MNIST in 40x40,
# halved). Trained on centred digits; validated and tested on the 360 val
# digits translated by integer offsets round(N(0, 2.5^2)) clipped to +-3 px
# (fixed per image).
_base_ = ['../demo/resnet18_digits.py']

model = dict(
    _delete_=True,
    type='ImageClassifier',
    backbone=dict(
        type='mmkd_ext.ShiftEquivariantCNN',
        in_channels=1,
        channels=(16, 32, 64),
        dilations=(1, 2, 4)),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=64,
        loss=dict(type='CrossEntropyLoss'),
        topk=(1, )))
data_preprocessor = dict(mean=[0.0], std=[255.0], to_rgb=False)

centred_digits = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='Resize', scale=(12, 12)),
    dict(type='mmkd_ext.CenterPad', size=(20, 20)),
]
shift = dict(type='mmkd_ext.RandomIntegerTranslate', std=2.5, max_shift=3)
train_pipeline = [*centred_digits, dict(type='PackInputs')]
test_pipeline = [*centred_digits, dict(shift, seed=0), dict(type='PackInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

param_scheduler = dict(T_max=15)
train_cfg = dict(max_epochs=15, val_interval=15)
