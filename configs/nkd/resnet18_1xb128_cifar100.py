# CIFAR-100 ResNet-18 (CIFAR stem), the student of the CIFAR-100 KD/NKD
# configs, trained alone: same schedule as the teacher.
_base_ = ['./resnet34_1xb128_cifar100.py']

model = dict(backbone=dict(depth=18))
