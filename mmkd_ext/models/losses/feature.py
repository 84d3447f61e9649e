"""A plain feature-imitation baseline for dense (FPN / decode head) taps."""
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.registry import MODELS
from .utils import (DistillInputError, check_same_shape, level_pairs,
                    per_level)


class FeatureAlign(nn.Module):
    """Optional 1x1 convs, one per level, that map student channels to
    teacher channels (``f_align``); an identity when no channels are given
    or they already match.

    Args:
        student_channels (int | list[int], optional): channels of each
            student level.
        teacher_channels (int | list[int], optional): channels of each
            teacher level.
        num_levels (int): levels, when the channels are given as one int.
    """

    def __init__(self, student_channels=None, teacher_channels=None,
                 num_levels=1):
        super().__init__()
        if (student_channels is None) != (teacher_channels is None):
            raise ValueError('give both student_channels and '
                             'teacher_channels, or neither')
        self.convs = self.student_channels = None
        if student_channels is None:
            return
        s_ch = per_level(student_channels, num_levels)
        t_ch = per_level(teacher_channels, len(s_ch))
        if len(s_ch) != len(t_ch):
            raise ValueError(
                f'student_channels has {len(s_ch)} levels and '
                f'teacher_channels {len(t_ch)}')
        self.student_channels = s_ch
        self.convs = nn.ModuleList(
            nn.Conv2d(s, t, 1) if s != t else nn.Identity()
            for s, t in zip(s_ch, t_ch))

    def forward(self, students):
        """list of (B, C_s, H, W) -> list of (B, C_t, H, W)."""
        if self.convs is None:
            return students
        if len(self.convs) != len(students):
            raise DistillInputError(
                f'the align convs were built for {len(self.convs)} levels, '
                f'got {len(students)}')
        aligned = []
        for level, (conv, s) in enumerate(zip(self.convs, students)):
            if s.shape[1] != self.student_channels[level]:
                raise DistillInputError(
                    f'level {level}: student feature has {s.shape[1]} '
                    f'channels, student_channels says '
                    f'{self.student_channels[level]}')
            aligned.append(conv(s))
        return aligned


@MODELS.register_module()
class FeatureMSELoss(nn.Module):
    """Mean squared error between student and teacher feature maps, summed
    over levels: ``loss_weight * sum_l mean((f_align(s_l) - t_l)^2)``.

    Args:
        student_channels (int | list[int], optional): channels of each
            student level. With ``teacher_channels``, a 1x1 conv per level
            maps student channels to teacher channels (``f_align``).
        teacher_channels (int | list[int], optional): channels of each
            teacher level.
        num_levels (int): levels, when the channels are given as one int.
            Defaults to 1.
        loss_weight (float): Defaults to 1.0.

    Inputs are a (B, C, H, W) tensor or a sequence of them (one per level,
    e.g. the FPN outputs of ``neck``, or the per-level calls of a shared
    head).
    """
    takes_levels = True

    def __init__(self, student_channels=None, teacher_channels=None,
                 num_levels=1, loss_weight=1.0):
        super().__init__()
        self.loss_weight = loss_weight
        self.align = FeatureAlign(student_channels, teacher_channels,
                                  num_levels)

    def forward(self, student_feats, teacher_feats):
        """Tensors (B, C, H, W) or sequences of them -> scalar."""
        students, teachers = level_pairs(student_feats, teacher_feats)
        total = 0
        for level, (s, t) in enumerate(zip(self.align(students), teachers)):
            check_same_shape(
                s, t, f'feature (level {level})',
                '; set student_channels/teacher_channels for a channel '
                'mismatch; spatial sizes must match')
            total = total + F.mse_loss(s.float(), t.float())
        return self.loss_weight * total
