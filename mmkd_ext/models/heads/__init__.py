"""Heads for mmpretrain classifiers (imported only with mmpretrain)."""
from .mcmi_head import ClassCentroids, MCMIHead
from .pskd_head import PSKDHead
from .pskd_memory import PredictionMemory, bytes_per_sample
from .uskd_head import USKDHead, USKDViTHead

__all__ = [
    'ClassCentroids', 'MCMIHead', 'PSKDHead', 'PredictionMemory',
    'USKDHead', 'USKDViTHead', 'bytes_per_sample'
]
