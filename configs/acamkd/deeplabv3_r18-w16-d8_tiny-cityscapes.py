# Tiny-data student of the ACAM-KD learning check: the teacher's
# DeepLabV3-R18 at a quarter of the width (16 base channels, narrower heads),
# with the teacher's schedule (1600 iterations).
_base_ = ['./deeplabv3_r18-d8_tiny-cityscapes.py']

model = dict(
    backbone=dict(stem_channels=16, base_channels=16),
    decode_head=dict(in_channels=128, channels=16),
    auxiliary_head=dict(in_channels=64, channels=8))
