"""Datasets of mmkd_ext (registered in ``mmkd_ext.registry.DATASETS``) and
the tiny dataset writers."""
from .global_index import GlobalIndexDataset
from .label_subset import LabelSubsetDataset

__all__ = ['GlobalIndexDataset', 'LabelSubsetDataset']
