# CIFAR-100 resnet20, the student of resnet56; its CE baseline.
_base_ = ['./resnet56_8xb8_cifar100.py']

model = dict(backbone=dict(depth=20))
