# USKD on the demo student (no teacher): mid feature = GAP of stage 3
# (64 channels at 16 base channels), small-data weights alpha 0.1, beta 0.1,
# mu 0.1 (the paper's CIFAR-100 setting).
_base_ = ['./resnet18-w16_digits.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(out_indices=(2, 3)),
    head=dict(
        type='mmkd_ext.USKDHead',
        uskd_loss=dict(in_channels=64, alpha=0.1, beta=0.1, mu=0.1)))
