# MCMI stage 1 for the resnet32x4 teacher (see mcmi_resnet56_8xb8_cifar100.py).
_base_ = ['./mcmi_resnet56_8xb8_cifar100.py']

model = dict(
    backbone=dict(depth=32, widths=(32, 64, 128, 256)),
    head=dict(in_channels=256))
load_from = 'work_dirs/resnet32x4_8xb8_cifar100/epoch_240.pth'
