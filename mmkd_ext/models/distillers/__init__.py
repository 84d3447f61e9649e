"""Distillers: OpenMMLab models that wrap a student and a frozen teacher."""
from .base import BaseDistiller, DistillerConfigError
from .classification import ClassificationDistiller
from .detection import DetectionDistiller
from .segmentation import SegmentationDistiller
from .taps import TapError, Taps

__all__ = [
    'BaseDistiller', 'ClassificationDistiller', 'DetectionDistiller',
    'DistillerConfigError', 'SegmentationDistiller', 'TapError', 'Taps'
]
