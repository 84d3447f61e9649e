"""Distiller for mmpretrain classifiers."""
from mmkd_ext.registry import MODELS
from .base import BaseDistiller


@MODELS.register_module()
class ClassificationDistiller(BaseDistiller):
    """Distiller for mmpretrain models (``ImageClassifier`` and the like).

    Logit losses tap ``head.fc`` (``LinearClsHead``) or the head's last
    layer; losses that declare ``data_samples`` read the labels from them
    (``gt_label``, or ``gt_score`` under mixup/cutmix).
    """
    task_scope = 'mmpretrain'
