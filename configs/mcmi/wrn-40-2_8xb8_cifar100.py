# CIFAR-100 WRN-40-2, a stage-0 teacher.
_base_ = ['./resnet56_8xb8_cifar100.py']

model = dict(
    backbone=dict(
        _delete_=True, type='mmkd_ext.WideResNet', depth=40, widen_factor=2),
    head=dict(in_channels=128))
