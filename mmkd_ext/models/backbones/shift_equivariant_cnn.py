"""A small CNN that is exactly equivariant to circular shifts."""
import torch.nn as nn
from mmengine.model import BaseModule

from mmkd_ext.registry import MODELS


@MODELS.register_module()
class ShiftEquivariantCNN(BaseModule):
    """``Conv3x3 -> BN -> ReLU`` blocks at stride 1 with circular padding,
    so that shifting the input circularly shifts every feature map the same
    way: followed by global pooling it is shift invariant. For an image on a
    uniform zero background (digits padded with zeros, translated by less
    than the padding), a translation is a circular shift, so the classifier
    is exactly translation invariant on such images (HARD's toy teacher).

    Dilations grow the receptive field without striding (striding would
    break the equivariance).

    (B, C_in, H, W) -> ((B, channels[-1], H, W), ).

    Args:
        in_channels (int): C_in.
        channels (Sequence[int]): output channels of the blocks.
            Defaults to (16, 32, 64).
        dilations (Sequence[int]): dilation of each block's conv.
            Defaults to (1, 2, 4) (receptive field 15 px).
    """

    def __init__(self, in_channels, channels=(16, 32, 64), dilations=(1, 2, 4),
                 init_cfg=(dict(type='Kaiming', layer='Conv2d'),
                           dict(type='Constant', val=1,
                                layer='BatchNorm2d'))):
        super().__init__(init_cfg=list(init_cfg) if init_cfg else None)
        if len(channels) != len(dilations) or not channels:
            raise ValueError(
                f'ShiftEquivariantCNN: channels {tuple(channels)} and '
                f'dilations {tuple(dilations)} must be non-empty and of the '
                f'same length')
        layers = []
        for out_channels, dilation in zip(channels, dilations):
            layers += [
                nn.Conv2d(in_channels, out_channels, 3, padding=dilation,
                          dilation=dilation, padding_mode='circular',
                          bias=False),
                nn.BatchNorm2d(out_channels), nn.ReLU()]
            in_channels = out_channels
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return (self.layers(x), )
