"""Hooks of mmkd_ext, registered in ``mmkd_ext.registry.HOOKS``."""
from .distill_loss_schedule import DistillLossScheduleHook
from .mcmi import MCMICentroidHook
from .pskd import PSKDHook

__all__ = ['DistillLossScheduleHook', 'MCMICentroidHook', 'PSKDHook']
