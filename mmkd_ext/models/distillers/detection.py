"""Distiller for mmdet detectors."""
from mmkd_ext.registry import MODELS
from .base import BaseDistiller


@MODELS.register_module()
class DetectionDistiller(BaseDistiller):
    """Distiller for mmdet detectors; feature losses usually tap ``neck``
    (the FPN levels, a tuple of (B, C, H_l, W_l) maps)."""
    task_scope = 'mmdet'
