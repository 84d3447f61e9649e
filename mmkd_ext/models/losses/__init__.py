"""Distillation losses, registered in ``mmkd_ext.registry.MODELS``."""
from .feature import FeatureMSELoss
from .kd import KDLoss
from .nkd import NKDLoss
from .pskd import PSKDLoss, pskd_alpha
from .uskd import USKDLoss

__all__ = [
    'FeatureMSELoss', 'KDLoss', 'NKDLoss', 'PSKDLoss', 'USKDLoss', 'pskd_alpha'
]
