# USKD (self-KD, no teacher). Mid feature: RegNetX-1.6GF: GAP of stage 3 (408 channels).
# The stock student recipe is kept as is.
_base_ = ['mmpretrain::regnet/regnetx-1.6gf_8xb128_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(out_indices=(2, 3)),
    head=dict(
        type='mmkd_ext.USKDHead',
        uskd_loss=dict(in_channels=408, alpha=1.0, beta=0.1, mu=0.005)))
