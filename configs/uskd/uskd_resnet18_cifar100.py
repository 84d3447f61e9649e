# USKD (self-KD, no teacher). Mid feature: CIFAR-100 ResNet-18: GAP of stage 3; CIFAR weights alpha 0.1, beta 0.1, mu 0.1.
# The stock student recipe is kept as is.
_base_ = ['../nkd/resnet18_1xb128_cifar100.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(out_indices=(2, 3)),
    head=dict(
        type='mmkd_ext.USKDHead',
        uskd_loss=dict(in_channels=256, alpha=0.1, beta=0.1, mu=0.1)))
