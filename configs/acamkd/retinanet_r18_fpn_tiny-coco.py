# Tiny-data teacher of the ACAM-KD learning check (README): the smoke
# RetinaNet-R18 (32-channel FPN) for 12 epochs on the 64 training images of
# `tools/make_tiny_data.py coco data/acam_tiny_coco --num-train 64
# --num-val 32`.
_base_ = ['../smoke/retinanet_r18_fpn_tiny-coco.py']

data_root = 'data/acam_tiny_coco/'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator

train_cfg = dict(max_epochs=12, val_interval=100)
default_hooks = dict(logger=dict(interval=4), checkpoint=dict(interval=12))
