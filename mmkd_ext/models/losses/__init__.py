"""Distillation losses, registered in ``mmkd_ext.registry.MODELS``."""
from .acam import ACAMLoss
from .cwd import CWDLoss
from .dist import DISTLoss
from .dkd import DKDLoss
from .feature import FeatureAlign, FeatureMSELoss
from .fgd import FGDLoss
from .foreground import ForegroundFeatureLoss
from .kd import KDLoss
from .levelwise import LevelwiseLoss
from .mcmi import MCMILoss, cmi_per_sample
from .mgd import MGDLoss
from .nkd import NKDLoss
from .pkd import PKDLoss
from .pskd import PSKDLoss, pskd_alpha
from .uskd import USKDLoss

__all__ = [
    'ACAMLoss', 'CWDLoss', 'DISTLoss', 'DKDLoss', 'FGDLoss', 'FeatureAlign',
    'FeatureMSELoss', 'ForegroundFeatureLoss', 'KDLoss', 'LevelwiseLoss',
    'MCMILoss', 'MGDLoss', 'NKDLoss', 'PKDLoss', 'PSKDLoss', 'USKDLoss',
    'cmi_per_sample', 'pskd_alpha'
]
