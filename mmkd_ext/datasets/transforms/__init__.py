"""Pipeline transforms of mmkd_ext, registered in ``mmkd_ext.registry.TRANSFORMS``."""
from .translation import CenterPad, RandomIntegerTranslate

__all__ = ['CenterPad', 'RandomIntegerTranslate']
