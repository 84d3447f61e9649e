"""STCA-FF: student-teacher cross-attention feature fusion (ACAM-KD,
methods.md section 1.3)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.registry import MODELS


def _tokens(x):
    """(B, C, H, W) -> (B, 1, H*W, C), contiguous in its last dimension, as
    the fused attention kernels need (a transposed view falls back to the
    dense O(N^2) kernel)."""
    return x.flatten(2).transpose(1, 2).unsqueeze(1).contiguous()


def _pad_channels(x, width):
    return x if x.shape[-1] == width else F.pad(x, (0, width - x.shape[-1]))


def memory_efficient_attention(query, key, value, scale):
    """softmax(q k^T * scale) v without an N x N matrix.

    ``query``/``key`` (B, 1, N, C_q) and ``value`` (B, 1, N_kv, C) may have
    different widths; the fused kernels need one head width, so all three
    are zero-padded to ``max(C_q, C)``. Zero channels add nothing to
    ``q k^T``; ``scale`` is folded into the query, since the kernel
    divides by ``sqrt(width)`` (torch 2.0's has no ``scale`` argument). The
    output is cut back to C channels.

    Returns:
        Tensor: (B, 1, N, C).
    """
    width = max(query.shape[-1], value.shape[-1])
    query = query * (scale * math.sqrt(width))
    out = F.scaled_dot_product_attention(
        _pad_channels(query, width), _pad_channels(key, width),
        _pad_channels(value, width))
    return out[..., :value.shape[-1]]


@MODELS.register_module()
class STCAFF(nn.Module):
    """Cross-attention from teacher positions to student positions.

    ``Q = W_q F_T``, ``K = W_k F_S``, ``V = W_v F_S`` (1x1 convs, with
    bias), ``A = softmax_j(Q^T K / sqrt(C_q))`` and ``F_fused = V A^T``
    (methods.md 1.3): row i of A is teacher position i, normalised over the
    student positions j. The attention runs through
    ``scaled_dot_product_attention`` on contiguous, equal-width inputs, so
    the fused (flash / memory-efficient) kernel is used and memory grows
    linearly with H*W. It runs in fp32 with autocast off, so the softmax and
    its reductions are fp32 under AMP.

    Args:
        channels (int): C, channels of both inputs and of the output.
        query_channels (int, optional): C_q of Q and K. Defaults to
            ``max(channels // 2, 1)`` (9 for 19-class logits).
        residual (bool): add the teacher feature (the query stream) to the
            fused feature. Not reported by the paper [R]. Defaults to False.
        norm (bool): LayerNorm over channels of the fused feature, after the
            residual [R]. Defaults to False.
        kv_pool_above (int, optional): when the student map has more than
            this many positions, average-pool it 2x2 before K and V (a
            cheaper attention at fine levels such as P2; an unverified
            deviation [R]). Defaults to None (never).
    """

    def __init__(self, channels, query_channels=None, residual=False,
                 norm=False, kv_pool_above=None):
        super().__init__()
        if query_channels is None:
            query_channels = max(channels // 2, 1)
        self.channels, self.query_channels = channels, query_channels
        self.query = nn.Conv2d(channels, query_channels, 1)
        self.key = nn.Conv2d(channels, query_channels, 1)
        self.value = nn.Conv2d(channels, channels, 1)
        self.residual = residual
        self.norm = nn.LayerNorm(channels) if norm else None
        self.kv_pool_above = kv_pool_above

    def forward(self, teacher_feat, student_feat):
        """(B, C, H, W) teacher and (aligned) student features -> fused
        (B, C, H, W)."""
        b, c, h, w = teacher_feat.shape
        with torch.autocast(teacher_feat.device.type, enabled=False):
            teacher_feat, student_feat = \
                teacher_feat.float(), student_feat.float()
            if self.kv_pool_above is not None and \
                    student_feat.shape[2] * student_feat.shape[3] > \
                    self.kv_pool_above:
                student_feat = F.avg_pool2d(student_feat, 2, ceil_mode=True)
            fused = memory_efficient_attention(
                _tokens(self.query(teacher_feat)),
                _tokens(self.key(student_feat)),
                _tokens(self.value(student_feat)),
                scale=self.query_channels**-0.5).squeeze(1)  # (B, N, C)
            if self.residual:
                fused = fused + teacher_feat.flatten(2).transpose(1, 2)
            if self.norm is not None:
                fused = self.norm(fused)
        return fused.transpose(1, 2).reshape(b, c, h, w)
