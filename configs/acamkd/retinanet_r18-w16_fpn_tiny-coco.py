# Tiny-data student of the ACAM-KD learning check: the teacher's RetinaNet-R18
# at a quarter of the width (16 base channels, 16-channel FPN and head).
_base_ = ['./retinanet_r18_fpn_tiny-coco.py']

model = dict(
    backbone=dict(base_channels=16),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=16),
    bbox_head=dict(in_channels=16, feat_channels=16))
