# HARD toy, KD with a hand-designed augmentation: plain KD on training digits
# randomly translated like the test digits (round(N(0, 5^2)), clipped to
# +-6 px, drawn afresh every epoch).
_base_ = ['./kd_resnet18-w16_mlp_digits40.py']

train_pipeline = [
    *_base_.centred_digits,
    dict(type='mmkd_ext.RandomIntegerTranslate', std=5.0, max_shift=6),
    dict(type='PackInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
