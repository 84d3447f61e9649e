"""MobileNetV1 (Howard et al., 2017), which mmpretrain does not ship."""
import torch.nn as nn
from mmengine.model import BaseModule

from mmkd_ext.registry import MODELS

# (output channels, stride) of the 13 depthwise-separable blocks (Table 1).
BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
          (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2),
          (1024, 1))


def conv_bn_relu(in_channels, out_channels, stride, groups=1, kernel=3):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel, stride, kernel // 2,
                  groups=groups, bias=False),
        nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


@MODELS.register_module()
class MobileNetV1(BaseModule):
    """The standard MobileNetV1 backbone for 224x224 ImageNet: a 3x3 stride-2
    conv with 32 channels, then 13 depthwise-separable blocks (3x3 depthwise
    conv + 1x1 pointwise conv, each with BN and ReLU).

    Args:
        widen_factor (float): width multiplier alpha. Defaults to 1.0.
        out_indices (Sequence[int]): blocks (0-12) whose outputs are
            returned. Defaults to (12,), the (B, 1024*alpha, H/32, W/32) map.
        init_cfg (dict | list[dict], optional): Defaults to Kaiming for
            convs and constant 1 for BN.
    """

    def __init__(self, widen_factor=1.0, out_indices=(12, ),
                 init_cfg=(dict(type='Kaiming', layer='Conv2d'),
                           dict(type='Constant', val=1,
                                layer='BatchNorm2d'))):
        super().__init__(init_cfg=list(init_cfg) if init_cfg else None)
        for index in out_indices:
            if not 0 <= index < len(BLOCKS):
                raise ValueError(f'out_indices must be in [0, '
                                 f'{len(BLOCKS) - 1}], got {index}')
        self.out_indices = tuple(out_indices)
        channels = int(32 * widen_factor)
        self.stem = conv_bn_relu(3, channels, 2)
        self.layers = nn.ModuleList()
        for out, stride in BLOCKS:
            out = int(out * widen_factor)
            self.layers.append(nn.Sequential(
                conv_bn_relu(channels, channels, stride, groups=channels),
                conv_bn_relu(channels, out, 1, kernel=1)))
            channels = out

    def forward(self, x):
        """(B, 3, H, W) -> tuple of the ``out_indices`` block outputs."""
        x = self.stem(x)
        outs = []
        for index, layer in enumerate(self.layers):
            x = layer(x)
            if index in self.out_indices:
                outs.append(x)
        return tuple(outs)
