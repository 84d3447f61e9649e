"""Hooks of mmkd_ext, registered in ``mmkd_ext.registry.HOOKS``."""
from .augmentor_visualization import AugmentorVisualizationHook
from .distill_loss_schedule import DistillLossScheduleHook
from .evaluate_teacher import EvaluateTeacherHook
from .mask_visualization import MaskVisualizationHook
from .mcmi import MCMICentroidHook
from .pskd import PSKDHook

__all__ = [
    'AugmentorVisualizationHook', 'DistillLossScheduleHook',
    'EvaluateTeacherHook',
    'MaskVisualizationHook', 'MCMICentroidHook', 'PSKDHook'
]
