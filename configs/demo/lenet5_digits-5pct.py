# Demo student: mmpretrain's LeNet-5 (61 k parameters; global average
# pooling and a linear head on its 120 features) trained on a stratified 5 %
# of the training digits (70 images), with the teacher's random shifts, SGD
# lr 0.02, 460 epochs of 2 iterations: about as many optimizer steps (920)
# as a 40-epoch run on all the data.
_base_ = ['./resnet18-w32_gray_digits.py']

model = dict(
    backbone=dict(_delete_=True, type='LeNet5'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(in_channels=120))
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmkd_ext.LabelSubsetDataset',
        fraction=0.05,
        seed=0,
        dataset=_base_.train_dataloader.dataset))
optim_wrapper = dict(optimizer=dict(lr=0.02))
param_scheduler = dict(T_max=460)
train_cfg = dict(max_epochs=460, val_interval=460)
default_hooks = dict(checkpoint=dict(interval=460))
