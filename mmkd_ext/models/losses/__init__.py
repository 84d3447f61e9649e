"""Distillation losses, registered in ``mmkd_ext.registry.MODELS``."""
from .acam import ACAMLoss
from .feature import FeatureAlign, FeatureMSELoss
from .foreground import ForegroundFeatureLoss
from .kd import KDLoss
from .levelwise import LevelwiseLoss
from .mcmi import MCMILoss, cmi_per_sample
from .nkd import NKDLoss
from .pskd import PSKDLoss, pskd_alpha
from .uskd import USKDLoss

__all__ = [
    'ACAMLoss', 'FeatureAlign', 'FeatureMSELoss', 'ForegroundFeatureLoss',
    'KDLoss', 'LevelwiseLoss', 'MCMILoss', 'NKDLoss', 'PSKDLoss', 'USKDLoss',
    'cmi_per_sample', 'pskd_alpha'
]
