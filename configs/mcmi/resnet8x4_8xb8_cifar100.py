# CIFAR-100 resnet8x4, the student of resnet32x4; its CE baseline.
_base_ = ['./resnet32x4_8xb8_cifar100.py']

model = dict(backbone=dict(depth=8))
