"""Reading labels from mmpretrain data samples (no mmpretrain import)."""
import torch


def classification_labels(data_samples):
    """(B, C) mixup/cutmix scores (``gt_score``) when present, else (B,)
    class indices (``gt_label``)."""
    if 'gt_score' in data_samples[0]:
        return torch.stack([s.gt_score for s in data_samples])
    return torch.cat([s.gt_label for s in data_samples])
