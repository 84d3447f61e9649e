# PS-KD's regime on the digits: an over-parameterised student, mmpretrain's
# ResNet-18 at 16 base channels (0.7 M parameters, 11x LeNet-5), on the
# demo's 5 % of the training digits (70 images) for the demo's 920 optimizer
# steps at the teacher's lr, where it fits its training images (the table
# script measures it).
_base_ = ['./lenet5_digits-5pct.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNet',
        depth=18,
        in_channels=1,
        stem_channels=16,
        base_channels=16),
    head=dict(in_channels=128))
optim_wrapper = dict(optimizer=dict(lr=0.1))
