"""Pipeline transforms of mmkd_ext, registered in ``mmkd_ext.registry.TRANSFORMS``."""
from .lighting import PCALighting
from .replay import ReplayedAugment, TeacherCacheError
from .translation import CenterPad, RandomIntegerTranslate

__all__ = ['CenterPad', 'PCALighting', 'RandomIntegerTranslate',
           'ReplayedAugment', 'TeacherCacheError']
