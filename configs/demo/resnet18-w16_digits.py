# Demo student: the demo teacher's ResNet-18 at a quarter of the width
# (16 base channels instead of 64, ~16x fewer parameters).
_base_ = ['./resnet18_digits.py']

model = dict(
    backbone=dict(stem_channels=16, base_channels=16),
    head=dict(in_channels=128))
