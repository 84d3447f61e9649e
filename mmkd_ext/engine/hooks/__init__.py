"""Hooks of mmkd_ext, registered in ``mmkd_ext.registry.HOOKS``."""
from .distill_loss_schedule import DistillLossScheduleHook

__all__ = ['DistillLossScheduleHook']
