"""MGD: masked generative distillation (Yang et al., ECCV 2022)."""
import torch
import torch.nn as nn

from mmkd_ext.registry import MODELS
from .feature import FeatureAlign
from .utils import level_channels, owned_level_pairs, select_levels


def generation_block(channels):
    """MGD's generator G: 3x3 conv, ReLU, 3x3 conv, ``channels`` wide."""
    return nn.Sequential(
        nn.Conv2d(channels, channels, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(channels, channels, kernel_size=3, padding=1))


@MODELS.register_module()
class MGDLoss(nn.Module):
    """Masked generative distillation: hide random positions of the
    (aligned) student feature and let a small generator rebuild the
    teacher's whole feature from what is left::

        M_{i,j} = 0 with probability lambda_mgd, else 1   (B, 1, H, W), random
        L_l     = sum_{c,i,j} (t - G_l(f_align(s) * M))^2 / B
        loss    = loss_weight * alpha_mgd * sum_l L_l

    as yzd-v/MGD ``det/mmdet/distillation/losses/mgd.py`` (the mask drawn as
    ``rand(B, 1, H, W) > 1 - lambda_mgd -> 0``, one draw per level and step,
    in level order; a sum over channels and positions, averaged over the
    batch). G_l is 3x3 conv, ReLU, 3x3 conv at the teacher's width, one per
    level; f_align a 1x1 conv when the channels differ. Both are trained
    with the student and dropped with the distiller.

    Args:
        teacher_channels (int | list[int]): channels of each teacher level.
        student_channels (int | list[int], optional): of each student
            level (default: the teacher's; a 1x1 align conv where they
            differ).
        num_levels (int, optional): generators to build (default:
            ``len(levels)``, else 1).
        levels (list[int], optional): indices of the tap's levels to
            distil (the authors' Faster R-CNN config: P2-P5, ``[0, 1, 2,
            3]``). Default: every level.
        alpha_mgd (float): Defaults to 2e-5 (authors' RetinaNet; Faster
            R-CNN 5e-7).
        lambda_mgd (float): mask ratio. Defaults to 0.65 (RetinaNet;
            Faster R-CNN 0.45).
        loss_weight (float): Defaults to 1.0.

    Inputs are a (B, C, H, W) tensor or a sequence of them (``neck``).
    """
    takes_levels = True

    def __init__(self, teacher_channels, student_channels=None,
                 num_levels=None, levels=None, alpha_mgd=2e-5,
                 lambda_mgd=0.65, loss_weight=1.0):
        super().__init__()
        if not 0 <= lambda_mgd <= 1:
            raise ValueError(f'lambda_mgd is a ratio in [0, 1], got '
                             f'{lambda_mgd}')
        self.levels, self.num_levels, self.teacher_channels, s_ch = \
            level_channels(teacher_channels, student_channels, levels,
                           num_levels)
        self.align = FeatureAlign(s_ch, self.teacher_channels)
        self.generation = nn.ModuleList(
            generation_block(c) for c in self.teacher_channels)
        self.alpha_mgd, self.lambda_mgd = alpha_mgd, lambda_mgd
        self.loss_weight = loss_weight

    def draw_mask(self, feat):
        """(B, 1, H, W) keep-mask of ``feat``: 0 where a uniform draw
        exceeds ``1 - lambda_mgd``, else 1."""
        batch, _, height, width = feat.shape
        draw = torch.rand((batch, 1, height, width), device=feat.device)
        return (draw <= 1 - self.lambda_mgd).to(feat.dtype)

    def forward(self, student_feats, teacher_feats):
        """Tensors (B, C, H, W) or sequences of them -> scalar."""
        students, teachers = select_levels(student_feats, teacher_feats,
                                           self.levels, self.num_levels)
        total = 0
        for level, s, t in owned_level_pairs(
                self.align(students), teachers, self.teacher_channels):
            rebuilt = self.generation[level](s * self.draw_mask(s))
            total = total + (rebuilt - t).square().sum() / s.shape[0]
        return self.loss_weight * self.alpha_mgd * total
