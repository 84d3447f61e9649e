# USKD (self-KD, no teacher) for MobileNetV1 (mmkd_ext's backbone; mmpretrain
# has none). Mid feature: GAP of block 10 (the last 512-channel block).
# Schedule as ResNet: 100 epochs, SGD 0.1 at batch 256, wd 1e-4.
_base_ = ['mmpretrain::resnet/resnet18_8xb32_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True, type='mmkd_ext.MobileNetV1', out_indices=(10, 12)),
    head=dict(
        type='mmkd_ext.USKDHead',
        in_channels=1024,
        uskd_loss=dict(in_channels=512, alpha=1.0, beta=0.1, mu=0.005)))
