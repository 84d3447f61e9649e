"""CWD: channel-wise knowledge distillation for dense prediction (Shu et
al., ICCV 2021)."""
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.registry import MODELS
from .feature import FeatureAlign
from .utils import (check_same_shape, check_temperature, distilled_levels,
                    pointwise_kl, select_levels, upcast)


def channel_kl(student, teacher, tau):
    """(B, C) KL(phi(t_c) || phi(s_c)) of every channel's map, phi the
    softmax over the H*W positions of ``map / tau``."""
    log_s = F.log_softmax(student.flatten(2) / tau, dim=2)
    log_t = F.log_softmax(teacher.flatten(2) / tau, dim=2)
    return pointwise_kl(log_t, log_s).sum(2)


@MODELS.register_module()
class CWDLoss(nn.Module):
    """Channel-wise distillation: each channel's map becomes a distribution
    over the spatial positions, and the student's matches the teacher's
    in KL (the paper's channel distribution phi and its KL divergence scaled
    by tau^2 / C; equation numbers not checked here)::

        phi(y_c)_i = exp(y_{c,i} / tau) / sum_j exp(y_{c,j} / tau)
        L_l  = tau^2 / (B C) sum_b sum_c KL(phi(t_c) || phi(f_align(s)_c))
        loss = loss_weight * sum_l L_l         (over the distilled levels)

    as the authors' ``CriterionCWD(norm_type='channel', divergence='kl')``
    (irfanICMLL/TorchDistiller ``SemSeg-distill/utils/criterion.py``) and
    MMRazor's ``ChannelWiseDivergence``. The authors' detection release
    (pppppM/mmdetection-distiller) computes the soft cross entropy
    ``-sum phi(t) log phi(s)`` instead: the same gradients, a value larger
    by the teacher's entropy.

    Args:
        temperature (float): tau. Defaults to 1.0 (detection; the
            authors' Cityscapes logits use 4.0).
        student_channels, teacher_channels (int | list[int], optional):
            1x1 align convs per level when they differ (as the authors'
            detection release), see ``FeatureMSELoss``.
        num_levels (int, optional): levels, for channels given as one int
            (default: ``len(levels)``, else 1).
        levels (list[int], optional): indices of the tap's levels to
            distil (e.g. ``[0, 1, 2, 3]``: P3-P6 of a RetinaNet neck, as the
            authors' detection config). Default: every level.
        loss_weight (float): Defaults to 1.0.

    Inputs are a (B, C, H, W) tensor (e.g. segmentation logits) or a
    sequence of them (the FPN levels of ``neck``).
    """
    takes_levels = True

    def __init__(self, temperature=1.0, student_channels=None,
                 teacher_channels=None, num_levels=None, levels=None,
                 loss_weight=1.0):
        super().__init__()
        check_temperature(temperature)
        self.temperature = temperature
        self.levels = None if levels is None else list(levels)
        self.align = FeatureAlign(student_channels, teacher_channels,
                                  distilled_levels(levels, num_levels))
        self.loss_weight = loss_weight

    def forward(self, student_feats, teacher_feats):
        """Tensors (B, C, H, W) or sequences of them -> scalar."""
        students, teachers = select_levels(student_feats, teacher_feats,
                                           self.levels)
        total = 0
        for level, (s, t) in enumerate(zip(self.align(students), teachers)):
            check_same_shape(
                s, t, f'feature (level {level})',
                '; set student_channels/teacher_channels for a channel '
                'mismatch; spatial sizes must match')
            kl = channel_kl(upcast(s), upcast(t).detach(), self.temperature)
            total = total + kl.mean() * self.temperature**2
        return self.loss_weight * total
