"""Reading labels from mmpretrain data samples (no mmpretrain import)."""
import torch

from mmkd_ext.models.losses.utils import DistillInputError


def classification_labels(data_samples):
    """(B, C) mixup/cutmix scores (``gt_score``) when present, else (B,)
    class indices (``gt_label``).

    Raises:
        DistillInputError: the samples carry neither (not classification
            samples, or a pipeline that does not pack labels).
    """
    if not data_samples:
        raise DistillInputError('this loss needs the data samples\' labels, '
                                'but got no data samples')
    if 'gt_score' in data_samples[0]:
        return torch.stack([s.gt_score for s in data_samples])
    if 'gt_label' not in data_samples[0]:
        raise DistillInputError(
            f'this loss needs image labels (gt_label), but the data samples '
            f'({type(data_samples[0]).__name__}) carry none; is the pipeline '
            f'packing labels, is it a classification task?')
    return torch.cat([s.gt_label for s in data_samples])
