"""ACAM-KD: adaptive and cooperative attention masking (methods.md
section 1), the loss of one feature level."""
import logging
import math

import torch
import torch.nn as nn
from mmengine.logging import print_log

from mmkd_ext.models.modules import ASCM, STCAFF
from mmkd_ext.registry import MODELS
from .utils import DistillInputError


NORMALISERS = ('mean', 'squares', 'sum')


def masked_feature_mse(sq_err, masks, size, eps, normaliser='mean'):
    """A mask-weighted MSE per mask, averaged over masks and images::

        'mean'   : sum_i M_i e_i / (size * sum_i M_i + eps)
        'squares': sum_i M_i^2 e_i / (size * sum_i M_i^2 + eps)
        'sum'     (methods.md 1.5, the literal form):
                  sum_i M_i^2 e_i / (size * sum_i M_i + eps)

    'sum' is linear in a common scale of a mask, so masks trained jointly
    can lower it by shrinking (they collapse); 'squares' and 'mean' are
    weighted means of the errors, unchanged when a mask is scaled [R].

    Args:
        sq_err (Tensor): (B, L) squared error summed over the other axis
            (over positions for channel masks, over channels for spatial
            masks).
        masks (Tensor): (B, M, L).
        size (int): length of the other axis (N for channel masks, C for
            spatial masks).
        normaliser (str): one of ``NORMALISERS``.
    """
    weights = masks if normaliser == 'mean' else masks.square()
    weighted = torch.einsum('bml,bl->bm', weights, sq_err)
    mass = (weights if normaliser == 'squares' else masks).sum(dim=2)
    return (weighted / (size * mass + eps)).mean()


class _ReverseGrad(torch.autograd.Function):
    """Identity forward, negated gradient backward."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad.neg()


def dice_diversity(masks, eps):
    """Mean Dice coefficient over ordered pairs of different masks, per
    image, averaged over the batch (MasKD's form, methods.md 1.5):
    ``2 <M_i, M_j> / (|M_i|^2 + |M_j|^2 + eps)``. (B, M, L) -> scalar; 0
    for a single mask."""
    num = masks.shape[1]
    if num < 2:
        return masks.sum() * 0
    gram = torch.bmm(masks, masks.transpose(1, 2))  # (B, M, M)
    sq = gram.diagonal(dim1=1, dim2=2)
    dice = 2 * gram / (sq[:, :, None] + sq[:, None, :] + eps)
    off_diag = dice.sum(dim=(1, 2)) - dice.diagonal(dim1=1, dim2=2).sum(1)
    return (off_diag / (num * (num - 1))).mean()


def normalised_entropy(masks, eps):
    """Entropy of each mask as a distribution over its positions, divided
    by log(L): 1 for a uniform mask, near 0 for a mask on one position.
    (B, M, L) -> scalar mean."""
    length = masks.shape[2]
    if length < 2:
        return masks.sum() * 0
    prob = masks / (masks.sum(dim=2, keepdim=True) + eps)
    entropy = -(prob * (prob + eps).log()).sum(dim=2)
    return entropy.mean() / math.log(length)


@MODELS.register_module()
class ACAMLoss(nn.Module):
    """ACAM-KD on one feature level:
    ``alpha * (L_channel + L_spatial) + lambda_div * L_div``.

    ``F~_S = f_align(F_S)`` (1x1 conv, also for equal channels),
    ``F_fused = STCAFF(F_T, F~_S)``, ``(M^c, M^s) = ASCM(F_fused)`` and, with
    ``D = sg(F_T) - F~_S``, the channel- and spatial-masked losses and the
    Dice diversity of the spatial masks (methods.md 1.3-1.5). The fusion
    and mask modules are trained jointly with the student by the same
    loss (1.6). Use one ACAMLoss per level; ``LevelwiseLoss`` sums levels.

    **Default and the literal form.** Trained jointly with the student, the
    masks of the literal loss (1.5, ``literal=True``) collapse: the loss is
    linear in a common scale of the masks, so they shrink to zero and take
    the distillation signal with them (coverage 0.50 -> 0.000 within 100
    iterations on tiny Cityscapes). The default is therefore the variant
    that measured best on held-out data (configs/acamkd/README.md): each
    mask's term the mask-weighted mean of the errors
    (``mask_normaliser='mean'``), and
    the masks trained through a gradient reversal
    (``reverse_masks_in_kd``), so that they seek where the student is still
    far from the teacher. A collapse guard warns when a level's mean
    spatial-mask coverage stays below ``collapse_threshold`` for
    ``collapse_iters`` training iterations.

    It returns a dict: ``loss`` and, to log, the detached parts
    (``channel``, ``spatial``, ``div``) and mask statistics (``coverage``:
    mean spatial mask value; ``channel_coverage``; ``entropy``: normalised
    entropy of the spatial masks, see :func:`normalised_entropy`).
    :meth:`spatial_masks` gives the masks themselves (for pictures).

    Args:
        student_channels (int): channels of the student feature.
        teacher_channels (int): channels of the teacher feature (C).
        num_masks (int): M. Defaults to 6 (detection; 19 for Cityscapes
            logits).
        alpha (float): weight of ``L_channel + L_spatial``. Defaults to 1.
        lambda_div (float): weight of ``L_div``. Defaults to 1.
        query_channels (int, optional): C_q of STCA-FF; ``C // 2`` when
            None.
        channel_mask_form (str): ``'shared'`` (m^c of (M, 1), the paper's
            literal form) or ``'elementwise'`` ((M, C)) [R].
        literal (bool): the literal form of methods.md 1.5: the ``'sum'``
            normaliser and the masks trained jointly (no reversal). It
            collapses when trained jointly (see above). Defaults to False.
        mask_normaliser (str, optional): ``'mean'``, ``'squares'`` or
            ``'sum'`` (:func:`masked_feature_mse`). Defaults to ``'mean'``
            (``'sum'`` with ``literal``).
        reverse_masks_in_kd (bool, optional): masks enter
            ``L_channel``/``L_spatial`` through a gradient reversal, so the
            mask generator maximises the masked KD loss (seeks where the
            student is still far from the teacher) while the student
            minimises it (1.8.2b) [R]. Defaults to True (False with
            ``literal``).
        detach_masks_in_kd (bool): masks enter ``L_channel``/``L_spatial``
            detached, so the mask generator learns from ``L_div`` only
            (a guard against "easy-region" masks, 1.8.2a) [R]; set
            ``reverse_masks_in_kd=False`` with it. Defaults to False.
        detach_student_in_stcaff (bool): STCA-FF sees ``sg(F~_S)``
            (1.8.2c) [R]. Defaults to False.
        fusion_residual (bool): add F_T to the STCA-FF output [R].
        fusion_norm (bool): LayerNorm on the STCA-FF output [R].
        div_on_channel_masks (bool): add the Dice diversity of the channel
            masks to ``L_div`` [R]. Defaults to False.
        kv_pool_above (int, optional): pool keys and values 2x2 when the
            level has more positions than this (fine levels) [R].
        collapse_threshold (float): mean spatial-mask coverage below which
            a level counts as collapsed. Defaults to 0.01.
        collapse_iters (int): consecutive training iterations under the
            threshold before the warning. Defaults to 100.
        eps (float): added to every denominator. Defaults to 1e-6.
    """
    def __init__(self, student_channels, teacher_channels, num_masks=6,
                 alpha=1.0, lambda_div=1.0, query_channels=None,
                 channel_mask_form='shared', literal=False,
                 mask_normaliser=None, reverse_masks_in_kd=None,
                 detach_masks_in_kd=False, detach_student_in_stcaff=False,
                 fusion_residual=False, fusion_norm=False,
                 div_on_channel_masks=False, kv_pool_above=None,
                 collapse_threshold=0.01, collapse_iters=100, eps=1e-6):
        super().__init__()
        if literal and (mask_normaliser not in (None, 'sum')
                        or reverse_masks_in_kd or detach_masks_in_kd):
            raise ValueError(
                'ACAMLoss: literal=True is the sum normaliser with jointly '
                'trained masks; do not combine it with mask_normaliser, '
                'reverse_masks_in_kd or detach_masks_in_kd')
        if mask_normaliser is None:
            mask_normaliser = 'sum' if literal else 'mean'
        if mask_normaliser not in NORMALISERS:
            raise ValueError(f'ACAMLoss: mask_normaliser must be one of '
                             f'{NORMALISERS}, got {mask_normaliser!r}')
        if reverse_masks_in_kd is None:
            reverse_masks_in_kd = not (literal or detach_masks_in_kd)
        if detach_masks_in_kd and reverse_masks_in_kd:
            raise ValueError(
                'ACAMLoss: detach_masks_in_kd and reverse_masks_in_kd '
                'exclude each other (no gradient vs a reversed one); set '
                'one of them')
        self.alpha, self.lambda_div, self.eps = alpha, lambda_div, eps
        self.detach_masks_in_kd = detach_masks_in_kd
        self.reverse_masks_in_kd = reverse_masks_in_kd
        self.mask_normaliser = mask_normaliser
        self.collapse_threshold = collapse_threshold
        self.collapse_iters = collapse_iters
        self.collapsed_iters = 0
        # set by LevelwiseLoss, for messages
        self.level_index = None
        self.detach_student_in_stcaff = detach_student_in_stcaff
        self.div_on_channel_masks = div_on_channel_masks
        self.align = nn.Conv2d(student_channels, teacher_channels, 1)
        self.fusion = STCAFF(
            teacher_channels, query_channels, residual=fusion_residual,
            norm=fusion_norm, kv_pool_above=kv_pool_above)
        self.masks = ASCM(teacher_channels, num_masks, channel_mask_form)

    def forward(self, student_feat, teacher_feat):
        """(B, C_s, H, W) student and (B, C, H, W) teacher features ->
        dict: ``loss`` (scalar) of this level and its logged parts."""
        self._check_inputs(student_feat, teacher_feat)
        aligned = self.align(student_feat)
        with torch.autocast(aligned.device.type, enabled=False):
            teacher = teacher_feat.detach().float()
            aligned = aligned.float()
            fused = self.fusion(
                teacher, aligned.detach()
                if self.detach_student_in_stcaff else aligned)
            channel, spatial = self.masks(fused)
            parts = self._parts(aligned, teacher, channel, spatial)
        total = self.alpha * (parts['channel'] + parts['spatial']) + \
            self.lambda_div * parts['div']
        coverage = spatial.detach().mean()
        if self.training:
            self._guard_collapse(float(coverage), teacher.shape[2:])
        return dict(
            loss=total, **{k: v.detach() for k, v in parts.items()},
            coverage=coverage,
            channel_coverage=channel.detach().mean(),
            entropy=normalised_entropy(spatial.detach(), self.eps))

    def _guard_collapse(self, coverage, size):
        """Warn once when the spatial masks stay collapsed."""
        self.collapsed_iters = self.collapsed_iters + 1 \
            if coverage < self.collapse_threshold else 0
        if self.collapsed_iters == self.collapse_iters:
            level = 'the' if self.level_index is None else \
                f'level {self.level_index},'
            print_log(
                f'ACAMLoss: the spatial masks of {level} {size[0]}x{size[1]} '
                f'feature map have covered less than '
                f'{self.collapse_threshold} on average for '
                f'{self.collapse_iters} iterations (coverage {coverage:.4f}):'
                f' they collapsed and the level is no longer distilled. Use '
                f"the defaults (mask_normaliser='mean', "
                f'reverse_masks_in_kd=True) instead of literal=True or the '
                f"'sum' normaliser.", logger='current',
                level=logging.WARNING)

    @torch.no_grad()
    def spatial_masks(self, student_feat, teacher_feat):
        """The spatial masks (B, M, H, W) this level's modules make for
        these features (what the loss weights; for pictures)."""
        self._check_inputs(student_feat, teacher_feat)
        fused = self.fusion(teacher_feat.float(),
                            self.align(student_feat).float())
        return self.masks(fused)[1].unflatten(2, teacher_feat.shape[2:])

    def _check_inputs(self, student_feat, teacher_feat):
        if not isinstance(student_feat, torch.Tensor) or \
                not isinstance(teacher_feat, torch.Tensor):
            raise DistillInputError(
                'ACAMLoss takes one feature level (a tensor); for a tap with '
                'several levels (an FPN) use LevelwiseLoss(level_loss='
                'dict(type=\'ACAMLoss\', ...), num_levels=...)')
        student, teacher = tuple(student_feat.shape), tuple(teacher_feat.shape)
        if len(student) != 4 or len(teacher) != 4:
            raise DistillInputError(
                f'features must be (B, C, H, W), got student {student} and '
                f'teacher {teacher}')
        if student[0] != teacher[0] or student[2:] != teacher[2:]:
            raise DistillInputError(
                f'student feature {student} and teacher feature {teacher} '
                f'differ in batch or spatial size')
        expected = (self.align.in_channels, self.align.out_channels)
        if (student[1], teacher[1]) != expected:
            raise DistillInputError(
                f'student/teacher features have {student[1]}/{teacher[1]} '
                f'channels, but student_channels/teacher_channels are '
                f'{expected[0]}/{expected[1]}')

    def _parts(self, aligned, teacher, channel, spatial):
        """L_channel, L_spatial (methods.md 1.5) and L_div, in fp32."""
        sq_err = (teacher - aligned).flatten(2).square()  # (B, C, N)
        kd_channel, kd_spatial = map(self._masks_in_kd, (channel, spatial))
        div = dice_diversity(spatial, self.eps)
        if self.div_on_channel_masks:
            div = div + dice_diversity(channel, self.eps)
        return dict(
            channel=masked_feature_mse(sq_err.sum(2), kd_channel,
                                       sq_err.shape[2], self.eps,
                                       self.mask_normaliser),
            spatial=masked_feature_mse(sq_err.sum(1), kd_spatial,
                                       sq_err.shape[1], self.eps,
                                       self.mask_normaliser),
            div=div)

    def _masks_in_kd(self, masks):
        """The masks as the KD terms see them: joint, detached or through
        a gradient reversal."""
        if self.detach_masks_in_kd:
            return masks.detach()
        if self.reverse_masks_in_kd:
            return _ReverseGrad.apply(masks)
        return masks
