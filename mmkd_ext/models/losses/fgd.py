"""FGD: focal and global knowledge distillation for detectors (Yang et
al., CVPR 2022)."""
import torch
import torch.nn as nn

from mmkd_ext.models.data_samples import (check_detection_samples,
                                          detection_boxes)
from mmkd_ext.registry import MODELS
from .feature import FeatureAlign
from .utils import (DistillInputError, check_temperature, level_channels,
                    owned_level_pairs, select_levels)

BOX_SCALES = ('img_shape', 'batch_input_shape')


class GlobalContextBlock(nn.Module):
    """FGD's global relation module R (a GcBlock): attention pooling of the
    positions, a bottleneck transform, added to every position::

        context = sum_j softmax_j(W_k x_j) x_j                       (B, C)
        R(x)    = x + W_v2(ReLU(LN(W_v1(context))))

    W_k is kaiming-normal (fan in, ReLU gain) with zero bias and W_v2
    starts at zero, as the authors' ``reset_parameters``; W_v1 has
    PyTorch's default init.
    """

    def __init__(self, channels):
        super().__init__()
        self.conv_mask = nn.Conv2d(channels, 1, kernel_size=1)
        self.channel_add = nn.Sequential(
            nn.Conv2d(channels, channels // 2, kernel_size=1),
            nn.LayerNorm([channels // 2, 1, 1]),
            nn.ReLU(),
            nn.Conv2d(channels // 2, channels, kernel_size=1))
        nn.init.kaiming_normal_(self.conv_mask.weight, mode='fan_in',
                                nonlinearity='relu')
        nn.init.zeros_(self.conv_mask.bias)
        nn.init.zeros_(self.channel_add[-1].weight)
        nn.init.zeros_(self.channel_add[-1].bias)

    def forward(self, x):
        weights = self.conv_mask(x).flatten(2).softmax(dim=2)  # (B, 1, HW)
        context = torch.einsum('bcn,bn->bc', x.flatten(2), weights[:, 0])
        return x + self.channel_add(context[:, :, None, None])


def attention(feat, temperature):
    """FGD's spatial (B, H, W) and channel (B, C) attention of a feature:
    ``H W softmax(mean_c |f| / T)`` and ``C softmax(mean_hw |f| / T)``."""
    batch, channels, height, width = feat.shape
    value = feat.abs()
    spatial = value.mean(dim=1).flatten(1) / temperature
    spatial = height * width * spatial.softmax(dim=1)
    channel = channels * (value.mean(dim=(2, 3)) / temperature).softmax(1)
    return spatial.view(batch, height, width), channel


def box_area_masks(data_samples, feat_shape, box_scale='img_shape'):
    """(B, H, W) foreground and background masks of one level, as FGD
    builds them.

    Each box is scaled to the level by the image size named in
    ``box_scale`` (``'img_shape'``: the resized image before padding, the
    authors' code; ``'batch_input_shape'``: the padded batch, i.e. the
    level's true stride), its cells are those from floor(x1), floor(y1) to
    ceil(x2), ceil(y2), both ends included, and they get ``1 / (number of
    those cells)``; a cell in several boxes keeps the largest value. The
    background mask is 1 where the foreground one is 0, divided by its sum
    (when not 0).
    """
    height, width = feat_shape
    fg_masks, bg_masks = [], []
    for sample in data_samples:
        boxes = detection_boxes(sample)
        shape = sample.metainfo.get(box_scale)
        if shape is None:
            raise DistillInputError(
                f'box_scale={box_scale!r} but the data samples have no '
                f"metainfo['{box_scale}']")
        device = boxes.device
        fg = torch.zeros(height, width, device=device)
        if len(boxes):
            scale = boxes.new_tensor([width / shape[1], height / shape[0]] * 2)
            scaled = boxes * scale
            x1, y1 = scaled[:, 0].floor(), scaled[:, 1].floor()
            x2, y2 = scaled[:, 2].ceil(), scaled[:, 3].ceil()
            area = 1.0 / ((y2 + 1 - y1) * (x2 + 1 - x1))
            ys = torch.arange(height, device=device, dtype=scaled.dtype)
            xs = torch.arange(width, device=device, dtype=scaled.dtype)
            inside_y = (ys[None] >= y1[:, None]) & (ys[None] <= y2[:, None])
            inside_x = (xs[None] >= x1[:, None]) & (xs[None] <= x2[:, None])
            inside = inside_y[:, :, None] & inside_x[:, None, :]
            fg = torch.where(inside, area[:, None, None],
                             torch.zeros_like(area)[:, None, None]).amax(0)
        bg = (fg == 0).float()
        bg = bg / bg.sum().clamp_min(1)  # all 0 when no background
        fg_masks.append(fg)
        bg_masks.append(bg)
    return torch.stack(fg_masks), torch.stack(bg_masks)


@MODELS.register_module()
class FGDLoss(nn.Module):
    """Focal and global distillation on FPN levels, with the ground-truth
    boxes (paper: the focal distillation, its attention loss and the global
    distillation)::

        M^fg = 1 / (cells of the box) inside a box, else 0
        M^bg = [M^fg = 0] / N_bg
        A^S  = H W softmax(mean_c |F| / T)
        A^C  = C softmax(mean_hw |F| / T)
        L_fg = sum M^fg A^S_t A^C_t (F^T - f(F^S))^2 / B     (teacher's A)
        L_bg = sum M^bg A^S_t A^C_t (F^T - f(F^S))^2 / B
        L_at = (sum |A^C_t - A^C_s| + sum |A^S_t - A^S_s|) / B
        L_gl = sum (R_t(F^T) - R_s(f(F^S)))^2 / B    (R: GlobalContextBlock)
        loss = loss_weight * sum_l (alpha L_fg + beta L_bg + gamma L_at
                                    + lambda L_gl)

    as yzd-v/FGD ``mmdet/distillation/losses/fgd.py`` (one module per
    level, summed over levels; sums over channels and positions, averaged
    over the batch). f is a 1x1 align conv where the channels differ; R_s
    and R_t are two GlobalContextBlocks per level (the teacher's side is
    trained too, on a teacher feature without gradient).

    Args:
        teacher_channels (int | list[int]): channels of each teacher level.
        student_channels (int | list[int], optional): default the
            teacher's.
        num_levels (int, optional): modules to build (default:
            ``len(levels)``, else 1).
        levels (list[int], optional): indices of the tap's levels to distil
            (the authors' Faster R-CNN configs: P2-P5, ``[0, 1, 2, 3]``).
            Default: every level.
        temperature (float): T of the attention. Defaults to 0.5.
        alpha_fgd, beta_fgd, gamma_fgd, lambda_fgd (float): the weights of
            L_fg, L_bg, L_at and L_gl. Defaults 1e-3, 5e-4, 1e-3, 5e-6 (the
            authors' defaults; their RetinaNet configs set gamma 5e-4, their
            two-stage configs 5e-5, 2.5e-5, 5e-5, 5e-7).
        box_scale (str): the image size the boxes are scaled to the level
            by: ``'img_shape'`` (the authors' code: the image before
            padding) or ``'batch_input_shape'`` (the padded batch, the
            level's stride; differs when the batch is padded).
        loss_weight (float): Defaults to 1.0.

    Called with the FPN levels of both models and the batch's
    ``data_samples`` (mmdet ``DetDataSample``: ``gt_instances.bboxes`` in
    input pixels, ``metainfo[box_scale]``). Returns ``loss`` and, to log,
    ``fg``, ``bg``, ``attention`` and ``global`` (summed over levels,
    before their weights).
    """
    takes_levels = True

    def __init__(self, teacher_channels, student_channels=None,
                 num_levels=None, levels=None, temperature=0.5,
                 alpha_fgd=1e-3, beta_fgd=5e-4, gamma_fgd=1e-3,
                 lambda_fgd=5e-6, box_scale='img_shape', loss_weight=1.0):
        super().__init__()
        check_temperature(temperature)
        if box_scale not in BOX_SCALES:
            raise ValueError(f'box_scale must be one of {BOX_SCALES}, got '
                             f'{box_scale!r}')
        self.levels, self.num_levels, self.teacher_channels, s_ch = \
            level_channels(teacher_channels, student_channels, levels,
                           num_levels)
        self.align = FeatureAlign(s_ch, self.teacher_channels)
        self.student_context = nn.ModuleList(
            GlobalContextBlock(c) for c in self.teacher_channels)
        self.teacher_context = nn.ModuleList(
            GlobalContextBlock(c) for c in self.teacher_channels)
        self.temperature = temperature
        self.weights = dict(fg=alpha_fgd, bg=beta_fgd, attention=gamma_fgd,
                            **{'global': lambda_fgd})
        self.box_scale = box_scale
        self.loss_weight = loss_weight

    def forward(self, student_feats, teacher_feats, data_samples):
        students, teachers = select_levels(student_feats, teacher_feats,
                                           self.levels, self.num_levels)
        check_detection_samples(data_samples, 'FGDLoss')
        parts = dict.fromkeys(self.weights, 0)
        for level, s, t in owned_level_pairs(
                self.align(students), teachers, self.teacher_channels):
            for name, value in self.level_parts(level, s, t,
                                                data_samples).items():
                parts[name] = parts[name] + value
        loss = self.loss_weight * sum(self.weights[name] * value
                                      for name, value in parts.items())
        return dict(loss=loss,
                    **{name: value.detach() for name, value in parts.items()})

    def level_parts(self, level, s, t, data_samples):
        """The unweighted L_fg, L_bg, L_at, L_gl of one level."""
        batch = s.shape[0]
        spatial_t, channel_t = attention(t, self.temperature)
        spatial_s, channel_s = attention(s, self.temperature)
        fg, bg = box_area_masks(data_samples, s.shape[2:], self.box_scale)
        fg, bg = fg.to(s), bg.to(s)
        weighted = (s - t).square() * spatial_t[:, None] * \
            channel_t[:, :, None, None]
        return {
            'fg': (weighted * fg[:, None]).sum() / batch,
            'bg': (weighted * bg[:, None]).sum() / batch,
            'attention': ((channel_s - channel_t).abs().sum() +
                          (spatial_s - spatial_t).abs().sum()) / batch,
            'global': (self.student_context[level](s) -
                       self.teacher_context[level](t)).square().sum() / batch,
        }
