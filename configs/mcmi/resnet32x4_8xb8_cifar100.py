# CIFAR-100 resnet32x4 (4x wider stages), a stage-0 teacher.
_base_ = ['./resnet56_8xb8_cifar100.py']

model = dict(
    backbone=dict(depth=32, widths=(32, 64, 128, 256)),
    head=dict(in_channels=256))
