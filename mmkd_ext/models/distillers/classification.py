"""Distiller for mmpretrain classifiers."""
from mmkd_ext.models.data_samples import classification_labels
from mmkd_ext.registry import MODELS
from .base import BaseDistiller, DistillerConfigError


@MODELS.register_module()
class ClassificationDistiller(BaseDistiller):
    """Distiller for mmpretrain models (``ImageClassifier`` and the like).

    Logit losses tap ``head.fc`` (``LinearClsHead``) or the head's last
    layer; losses with a ``gt_label`` argument get the batch's labels:
    class indices (B,), or the (B, C) score matrix under mixup/cutmix.
    """
    task_scope = 'mmpretrain'

    def gt_labels(self, data_samples):
        if not data_samples or 'gt_label' not in data_samples[0]:
            raise DistillerConfigError(
                'a distillation loss needs gt_label, but the data samples '
                'carry none (is the pipeline packing labels?)')
        return classification_labels(data_samples)
