"""Distiller for mmseg segmentors."""
from mmkd_ext.registry import MODELS
from .base import BaseDistiller


@MODELS.register_module()
class SegmentationDistiller(BaseDistiller):
    """Distiller for mmseg segmentors; losses usually tap
    ``decode_head.conv_seg`` (the decode-head logits, (B, K, H/8, W/8) for
    DeepLabV3/PSPNet at output stride 8)."""
    task_scope = 'mmseg'
