# HARD toy, KD with a hand-designed augmentation: plain KD on training digits
# randomly translated like the test digits (round(N(0, 2.5^2)), clipped to
# +-3 px, drawn afresh every epoch).
_base_ = ['./kd_cnn_mlp_digits20.py']

train_pipeline = [
    *_base_.centred_digits, _base_.shift,
    dict(type='PackInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
