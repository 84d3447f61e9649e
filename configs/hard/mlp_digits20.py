# HARD toy student alone: an MLP (400 -> 48 -> 10; no convolution, so no
# built-in translation equivariance) on the centred 20x20 digits of
# cnn_digits20.py, tested on translated digits.
_base_ = ['./cnn_digits20.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmkd_ext.MLP',
        in_channels=1,
        input_size=20,
        hidden_dims=(48, )),
    neck=None,
    head=dict(in_channels=48))

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(T_max=20)
train_cfg = dict(max_epochs=20, val_interval=20)
