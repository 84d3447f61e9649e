# CIFAR-100 WRN-16-2, the student of WRN-40-2; its CE baseline.
_base_ = ['./wrn-40-2_8xb8_cifar100.py']

model = dict(backbone=dict(depth=16))
