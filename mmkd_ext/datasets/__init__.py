"""Datasets of mmkd_ext (registered in ``mmkd_ext.registry.DATASETS``) and
the tiny dataset writers."""
from .global_index import GlobalIndexDataset

__all__ = ['GlobalIndexDataset']
