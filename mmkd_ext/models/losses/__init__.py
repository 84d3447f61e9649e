"""Distillation losses, registered in ``mmkd_ext.registry.MODELS``."""
from .feature import FeatureMSELoss
from .kd import KDLoss
from .nkd import NKDLoss

__all__ = ['FeatureMSELoss', 'KDLoss', 'NKDLoss']
