# USKD (self-KD, no teacher). Mid feature: Swin-T: GAP of stage 3 (384 channels).
# The stock student recipe is kept as is.
_base_ = ['mmpretrain::swin_transformer/swin-tiny_16xb64_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(out_indices=(2, 3)),
    head=dict(
        type='mmkd_ext.USKDHead',
        uskd_loss=dict(in_channels=384, alpha=1.0, beta=0.1, mu=0.005)))
