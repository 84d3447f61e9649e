# USKD (self-KD, no teacher). Mid feature: MobileNetV2: GAP of the output at index 6 (320 channels).
# The stock student recipe is kept as is.
_base_ = ['mmpretrain::mobilenet_v2/mobilenet-v2_8xb32_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(out_indices=(6, 7)),
    head=dict(
        type='mmkd_ext.USKDHead',
        uskd_loss=dict(in_channels=320, alpha=1.0, beta=0.1, mu=0.005)))
