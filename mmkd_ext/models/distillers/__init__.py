"""Distillers: OpenMMLab models that wrap a student and a frozen teacher."""
from .base import BaseDistiller, DistillerConfigError
from .classification import ClassificationDistiller
from .detection import DetectionDistiller
from .hard import HARDDistiller
from .segmentation import SegmentationDistiller
from .taps import TapError, Taps

__all__ = [
    'BaseDistiller', 'ClassificationDistiller', 'DetectionDistiller',
    'DistillerConfigError', 'HARDDistiller', 'SegmentationDistiller',
    'TapError', 'Taps'
]
