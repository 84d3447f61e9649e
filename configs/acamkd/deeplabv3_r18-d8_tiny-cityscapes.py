# Tiny-data teacher of the ACAM-KD learning check (README): the smoke
# DeepLabV3-R18 for 1600 iterations on the 64 training images of
# `tools/make_tiny_data.py cityscapes data/acam_tiny_cityscapes
# --num-train 64 --num-val 128`. The students inherit this file and its
# schedule.
_base_ = ['../smoke/deeplabv3_r18-d8_tiny-cityscapes.py']

data_root = 'data/acam_tiny_cityscapes/'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=1600,
         by_epoch=False)
]
train_cfg = dict(max_iters=1600, val_interval=1000)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=400))
