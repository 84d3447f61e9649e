"""Heads for mmpretrain classifiers (imported only with mmpretrain)."""
from .uskd_head import USKDHead, USKDViTHead

__all__ = ['USKDHead', 'USKDViTHead']
