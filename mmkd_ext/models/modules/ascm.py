"""ASCM: adaptive spatial-channel masking (ACAM-KD, methods.md 1.4)."""
import torch
import torch.nn as nn

from mmkd_ext.registry import MODELS

CHANNEL_MASK_FORMS = ('shared', 'elementwise')


@MODELS.register_module()
class ASCM(nn.Module):
    """Channel and spatial importance masks from the fused feature.

    - Channel masks ``M^c = sigmoid(m^c * v)`` (B, M, C), with ``v`` the
      spatial mean of the fused feature (B, C). ``channel_mask_form``
      chooses ``m^c``: ``'shared'`` is the paper's literal ``m^c`` of
      (M, 1), one scale per mask; ``'elementwise'`` is (M, C), one weight
      per mask and channel [R].
    - Spatial masks ``M^s = sigmoid(m^s z)`` (B, M, N), with ``z`` the
      flattened fused feature (B, C, N) and ``m^s`` (M, C) receptive
      tokens, initialised N(0, 0.01^2) as in MasKD.

    ``m^c`` starts at small positive values, U(0, 0.1) [R]: random, so the
    M channel masks do not start (and stay) identical.
    The masks are computed in fp32.

    Args:
        channels (int): C.
        num_masks (int): M (6 for detection, 19 for Cityscapes logits).
        channel_mask_form (str): ``'shared'`` (default) or
            ``'elementwise'``.
    """

    def __init__(self, channels, num_masks, channel_mask_form='shared'):
        super().__init__()
        if not isinstance(num_masks, int) or num_masks < 1:
            raise ValueError(f'num_masks must be an int >= 1, got '
                             f'{num_masks!r}')
        if channel_mask_form not in CHANNEL_MASK_FORMS:
            raise ValueError(f'channel_mask_form must be one of '
                             f'{CHANNEL_MASK_FORMS}, got '
                             f'{channel_mask_form!r}')
        self.num_masks = num_masks
        width = 1 if channel_mask_form == 'shared' else channels
        self.channel_units = nn.Parameter(
            torch.empty(num_masks, width).uniform_(0, 0.1))
        self.spatial_tokens = nn.Parameter(
            torch.empty(num_masks, channels).normal_(0, 0.01))

    def forward(self, fused):
        """(B, C, H, W) -> channel masks (B, M, C), spatial masks
        (B, M, H*W)."""
        with torch.autocast(fused.device.type, enabled=False):
            fused = fused.float().flatten(2)  # (B, C, N)
            pooled = fused.mean(dim=2)  # (B, C)
            channel = torch.sigmoid(self.channel_units[None] *
                                    pooled[:, None, :])
            spatial = torch.sigmoid(
                torch.einsum('mc,bcn->bmn', self.spatial_tokens, fused))
        return channel, spatial
