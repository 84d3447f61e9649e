# USKD (self-KD, no teacher). Mid feature: DeiT-Tiny: class token after block 6 of 12.
# The stock student recipe is kept as is.
_base_ = ['mmpretrain::deit/deit-tiny_4xb256_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(out_indices=(5, 11), out_type='cls_token'),
    head=dict(
        type='mmkd_ext.USKDViTHead',
        uskd_loss=dict(in_channels=192, alpha=1.0, beta=0.1, mu=0.005)))
