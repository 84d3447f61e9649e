"""Distillation losses, registered in ``mmkd_ext.registry.MODELS``."""
from .acam import ACAMLoss
from .feature import FeatureMSELoss
from .kd import KDLoss
from .levelwise import LevelwiseLoss
from .mcmi import MCMILoss, cmi_per_sample
from .nkd import NKDLoss
from .pskd import PSKDLoss, pskd_alpha
from .uskd import USKDLoss

__all__ = [
    'ACAMLoss', 'FeatureMSELoss', 'KDLoss', 'LevelwiseLoss', 'MCMILoss',
    'NKDLoss', 'PSKDLoss', 'USKDLoss', 'cmi_per_sample', 'pskd_alpha'
]
