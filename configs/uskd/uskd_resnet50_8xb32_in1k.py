# USKD (self-KD, no teacher). Mid feature: ResNet-50: GAP of stage 3.
# The stock student recipe is kept as is.
_base_ = ['mmpretrain::resnet/resnet50_8xb32_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(out_indices=(2, 3)),
    head=dict(
        type='mmkd_ext.USKDHead',
        uskd_loss=dict(in_channels=1024, alpha=1.0, beta=0.1, mu=0.005)))
