# HARD toy teacher: a (translation-equivariant, global-pooled) ResNet-18 at
# width 16 on grayscale digits of `tools/make_tiny_data.py digits data/digits`,
# shrunk to 24x24 and padded to 40x40. Trained on centred digits; validated
# and tested on the 360 val digits translated by integer offsets
# round(N(0, 5^2)) clipped to +-6 px (fixed per image).
_base_ = ['../demo/resnet18_digits.py']

model = dict(
    backbone=dict(in_channels=1, stem_channels=16, base_channels=16),
    head=dict(in_channels=128))
data_preprocessor = dict(mean=[0.0], std=[255.0], to_rgb=False)

centred_digits = [
    dict(type='LoadImageFromFile', color_type='grayscale'),
    dict(type='Resize', scale=(24, 24)),
    dict(type='mmkd_ext.CenterPad', size=(40, 40)),
]
train_pipeline = [*centred_digits, dict(type='PackInputs')]
test_pipeline = [
    *centred_digits,
    dict(type='mmkd_ext.RandomIntegerTranslate', std=5.0, max_shift=6,
         seed=0),
    dict(type='PackInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

param_scheduler = dict(T_max=15)
train_cfg = dict(max_epochs=15, val_interval=15)
