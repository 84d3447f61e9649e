# Demo teacher: ResNet-18 on the 32x32 handwritten digits written by
# `tools/make_tiny_data.py digits data/digits` (1,437 train / 360 val, real data).
_base_ = ['../smoke/resnet18_tiny-imagenet.py']

data_root = 'data/digits'
classes = ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')

model = dict(head=dict(num_classes=len(classes)))
data_preprocessor = dict(num_classes=len(classes))
train_dataloader = dict(
    batch_size=64, dataset=dict(data_root=data_root, classes=classes))
val_dataloader = dict(
    batch_size=64, dataset=dict(data_root=data_root, classes=classes))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='Accuracy', topk=(1, )),
    dict(type='mmkd_ext.ExpectedCalibrationError', num_bins=15),
    dict(type='mmkd_ext.ConditionalMutualInformation')
]
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(lr=0.1, weight_decay=5e-4))
param_scheduler = dict(
    _delete_=True, type='CosineAnnealingLR', T_max=8, by_epoch=True)
train_cfg = dict(max_epochs=8, val_interval=8)
default_hooks = dict(logger=dict(interval=10))
