"""Feature imitation weighted by the ground-truth boxes (detection)."""
import torch
import torch.nn as nn

from mmkd_ext.models.data_samples import (check_detection_samples,
                                          detection_boxes)
from mmkd_ext.registry import MODELS
from .feature import FeatureAlign
from .utils import DistillInputError, level_pairs


def box_masks(data_samples, feat_shape, input_shape):
    """(B, 1, h, w) masks of one feature level: 1 where a cell centre lies
    inside a ground-truth box of the image, else 0.

    Args:
        data_samples (list[DetDataSample]): with ``gt_instances.bboxes``
            (x1, y1, x2, y2 in input pixels).
        feat_shape (tuple[int, int]): (h, w) of the level.
        input_shape (tuple[int, int]): (H, W) of the padded batch.
    """
    height, width = feat_shape
    device = detection_boxes(data_samples[0]).device
    ys = (torch.arange(height, device=device) + 0.5) * input_shape[0] / height
    xs = (torch.arange(width, device=device) + 0.5) * input_shape[1] / width
    masks = []
    for sample in data_samples:
        boxes = detection_boxes(sample)
        inside_x = (xs[None] >= boxes[:, :1]) & (xs[None] <= boxes[:, 2:3])
        inside_y = (ys[None] >= boxes[:, 1:2]) & (ys[None] <= boxes[:, 3:4])
        inside = inside_y[:, :, None] & inside_x[:, None, :]  # (K, h, w)
        masks.append(inside.any(dim=0, keepdim=True))
    return torch.stack(masks).float()


@MODELS.register_module()
class ForegroundFeatureLoss(nn.Module):
    """Feature imitation with foreground and background decoupled by the
    ground-truth boxes (the decoupling of FGD, Yang et al., CVPR 2022,
    Eq. 1-3, here with per-region means)::

        e_l      = sum_c (f_align(s_l) - t_l)^2 / C        (B, h, w)
        fg_l     = sum(M_l * e_l) / sum(M_l)
        bg_l     = sum((1 - M_l) * e_l) / sum(1 - M_l)
        loss     = loss_weight * sum_l (fg_weight * fg_l + bg_weight * bg_l)

    M_l is 1 at cells whose centre lies inside a ground-truth box (see
    :func:`box_masks`). A region without cells in the batch adds 0.

    Args:
        student_channels, teacher_channels, num_levels: as in
            ``FeatureMSELoss`` (1x1 align convs when given).
        fg_weight (float): weight of the foreground term. Defaults to 1.0.
        bg_weight (float): weight of the background term. Defaults to 0.5.
        loss_weight (float): Defaults to 1.0.

    Called with the FPN levels of both models and the batch's
    ``data_samples`` (mmdet ``DetDataSample`` with ``gt_instances``).
    Returns ``loss`` and, to log, ``fg`` and ``bg`` (summed over levels)
    and ``fg_fraction`` (share of foreground cells, mean over levels).
    """
    takes_levels = True

    def __init__(self, student_channels=None, teacher_channels=None,
                 num_levels=1, fg_weight=1.0, bg_weight=0.5,
                 loss_weight=1.0):
        super().__init__()
        self.align = FeatureAlign(student_channels, teacher_channels,
                                  num_levels)
        self.fg_weight, self.bg_weight = fg_weight, bg_weight
        self.loss_weight = loss_weight

    def forward(self, student_feats, teacher_feats, data_samples):
        students, teachers = level_pairs(student_feats, teacher_feats)
        students = self.align(students)
        check_detection_samples(data_samples, 'ForegroundFeatureLoss')
        input_shape = data_samples[0].metainfo.get('batch_input_shape')
        if input_shape is None:
            raise DistillInputError(
                'ForegroundFeatureLoss needs batch_input_shape in the data '
                'samples (set by mmdet\'s DetDataPreprocessor)')
        fg_total = bg_total = fraction = 0
        for student, teacher in zip(students, teachers):
            err = (student.float() - teacher.float()).square().mean(
                dim=1, keepdim=True)
            mask = box_masks(data_samples, err.shape[2:], input_shape).to(err)
            fg_total = fg_total + (mask * err).sum() / mask.sum().clamp_min(1)
            bg_total = bg_total + ((1 - mask) * err).sum() / \
                (1 - mask).sum().clamp_min(1)
            fraction = fraction + mask.mean()
        loss = self.loss_weight * (self.fg_weight * fg_total +
                                   self.bg_weight * bg_total)
        return dict(loss=loss, fg=fg_total.detach(), bg=bg_total.detach(),
                    fg_fraction=fraction / len(students))
