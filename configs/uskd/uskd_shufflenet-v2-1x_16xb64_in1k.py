# USKD (self-KD, no teacher). Mid feature: ShuffleNetV2 1x: GAP of stage 3 (464 channels; the official config says 484, which matches no stage).
# The stock student recipe is kept as is.
_base_ = ['mmpretrain::shufflenet_v2/shufflenet-v2-1x_16xb64_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(out_indices=(2, 3)),
    head=dict(
        type='mmkd_ext.USKDHead',
        uskd_loss=dict(in_channels=464, alpha=1.0, beta=0.1, mu=0.005)))
