"""Trainable building blocks of the distillation losses (ACAM-KD's fusion
and mask modules), registered in ``mmkd_ext.registry.MODELS``."""
from .ascm import ASCM
from .stcaff import STCAFF

__all__ = ['ASCM', 'STCAFF']
