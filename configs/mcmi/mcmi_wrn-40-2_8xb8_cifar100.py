# MCMI stage 1 for the WRN-40-2 teacher (see mcmi_resnet56_8xb8_cifar100.py).
_base_ = ['./mcmi_resnet56_8xb8_cifar100.py']

model = dict(
    backbone=dict(
        _delete_=True, type='mmkd_ext.WideResNet', depth=40, widen_factor=2),
    head=dict(in_channels=128))
load_from = 'work_dirs/wrn-40-2_8xb8_cifar100/epoch_240.pth'
