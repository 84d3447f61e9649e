"""PKD: distillation of normalised FPN features, i.e. of their Pearson
correlation (Cao et al., NeurIPS 2022)."""
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.registry import MODELS
from .feature import FeatureAlign
from .utils import check_same_shape, distilled_levels, select_levels, upcast


def channel_standardise(feat, eps=1e-6):
    """(B, C, H, W) with each channel at zero mean and unit (unbiased)
    standard deviation over the batch and the positions, ``eps`` added to
    the standard deviation."""
    values = feat.transpose(0, 1).flatten(1)  # (C, B*H*W)
    mean = values.mean(dim=1)[None, :, None, None]
    std = values.std(dim=1)[None, :, None, None]
    return (feat - mean) / (std + eps)


@MODELS.register_module()
class PKDLoss(nn.Module):
    """PKD: imitate the teacher's FPN features after standardising both,
    which makes the MSE ``1 - r`` with r the Pearson correlation of the two
    features, free of their magnitudes::

        s_hat, t_hat = per channel: (x - mean) / (std + eps), the mean and
                       unbiased std over the batch and the H x W positions
        L_l  = 1/2 * mean((s_hat - t_hat)^2)    (mean over B, C, H, W)
        loss = loss_weight * sum_l L_l

    as open-mmlab/mmrazor ``mmrazor/models/losses/pkd_loss.py`` (PKD's
    official implementation). A student level whose spatial size differs
    from the teacher's is resized to it (bilinear; ``resize_student=False``
    resizes the teacher's instead), as MMRazor's ``resize_stu``.

    Args:
        student_channels, teacher_channels (int | list[int], optional):
            1x1 align convs per level when they differ (PKD itself needs
            equal channels; MMRazor has no align), see ``FeatureMSELoss``.
        num_levels (int, optional): levels, for channels given as one int.
        levels (list[int], optional): indices of the tap's levels to
            distil (MMRazor's configs: ``[0, 1, 2, 3]``). Default: all.
        resize_student (bool): Defaults to True.
        eps (float): added to the std. Defaults to 1e-6.
        loss_weight (float): Defaults to 1.0 (MMRazor: 6 for Faster R-CNN,
            10 for RetinaNet).

    Inputs are a (B, C, H, W) tensor or a sequence of them (``neck``).
    """
    takes_levels = True

    def __init__(self, student_channels=None, teacher_channels=None,
                 num_levels=None, levels=None, resize_student=True,
                 eps=1e-6, loss_weight=1.0):
        super().__init__()
        self.levels = None if levels is None else list(levels)
        self.align = FeatureAlign(student_channels, teacher_channels,
                                  distilled_levels(levels, num_levels))
        self.resize_student = resize_student
        self.eps = eps
        self.loss_weight = loss_weight

    def forward(self, student_feats, teacher_feats):
        """Tensors (B, C, H, W) or sequences of them -> scalar."""
        students, teachers = select_levels(student_feats, teacher_feats,
                                           self.levels)
        total = 0
        for level, (s, t) in enumerate(zip(self.align(students), teachers)):
            s, t = upcast(s), upcast(t).detach()
            if s.shape[2:] != t.shape[2:]:
                if self.resize_student:
                    s = F.interpolate(s, t.shape[2:], mode='bilinear',
                                      align_corners=False)
                else:
                    t = F.interpolate(t, s.shape[2:], mode='bilinear',
                                      align_corners=False)
            check_same_shape(s, t, f'feature (level {level})',
                             '; set student_channels/teacher_channels for a '
                             'channel mismatch')
            total = total + F.mse_loss(channel_standardise(s, self.eps),
                                       channel_standardise(t, self.eps)) / 2
        return self.loss_weight * total
