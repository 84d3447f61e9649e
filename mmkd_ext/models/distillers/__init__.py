"""Distillers: OpenMMLab models that wrap a student and a frozen teacher."""
from .base import BaseDistiller
from .classification import ClassificationDistiller
from .detection import DetectionDistiller
from .errors import DistillerConfigError
from .hard import HARDDistiller
from .segmentation import SegmentationDistiller
from .taps import TapError, Taps
from .teachers import CachedTeacher, LiveTeacher
from .terms import DistillLosses, DistillTerm

__all__ = [
    'BaseDistiller', 'CachedTeacher', 'ClassificationDistiller',
    'DetectionDistiller', 'DistillLosses', 'DistillTerm',
    'DistillerConfigError', 'HARDDistiller', 'LiveTeacher',
    'SegmentationDistiller', 'TapError', 'Taps'
]
