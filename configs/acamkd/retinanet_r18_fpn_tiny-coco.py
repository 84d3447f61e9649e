# Tiny-data teacher of the ACAM-KD learning check (README): the smoke
# RetinaNet-R18 (32-channel FPN) on the 64 training images of
# `tools/make_tiny_data.py coco data/acam_tiny_coco --num-train 64
# --num-val 128`, with mmdet's 2x schedule (24 epochs, lr x0.1 after epochs
# 16 and 22): at the smoke config's constant lr the last weights were a
# random point of the SGD path, and the students' mAP varied by 0.05-0.11
# between seeds.
_base_ = ['../smoke/retinanet_r18_fpn_tiny-coco.py']

data_root = 'data/acam_tiny_coco/'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=16),
    dict(type='MultiStepLR', begin=0, end=24, by_epoch=True,
         milestones=[16, 22])
]
train_cfg = dict(max_epochs=24, val_interval=100)
default_hooks = dict(logger=dict(interval=4), checkpoint=dict(interval=24))
