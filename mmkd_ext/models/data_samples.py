"""Reading labels from mmpretrain and boxes from mmdet data samples (no
mmpretrain or mmdet import)."""
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


def check_detection_samples(data_samples, loss):
    """An error naming ``loss`` unless the samples carry ``gt_instances``."""
    if not data_samples or 'gt_instances' not in data_samples[0]:
        raise DistillInputError(
            f'{loss} needs detection data samples with gt_instances (boxes)')


def detection_boxes(sample):
    """(K, 4) float x1, y1, x2, y2 in input pixels of one mmdet
    ``DetDataSample``'s ground truth (mmdet's box types unwrapped)."""
    boxes = sample.gt_instances.bboxes
    return getattr(boxes, 'tensor', boxes).float()
