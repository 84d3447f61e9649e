"""The CIFAR ResNets of the KD literature's CIFAR-100 benchmark (resnet20/56,
resnet8x4/32x4 and WRN-16-2/40-2, as in the CRD/RepDistiller protocol that
MCMI uses), which mmpretrain does not ship: three stages of 3x3 residual
blocks on 32x32 inputs."""
import torch.nn as nn
from mmengine.model import BaseModule

from mmkd_ext.registry import MODELS

DEFAULT_INIT = (dict(type='Kaiming', layer='Conv2d'),
                dict(type='Constant', val=1, layer='BatchNorm2d'))


def conv3x3(in_channels, out_channels, stride=1):
    return nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)


class BasicBlock(nn.Module):
    """conv-BN-ReLU-conv-BN plus the (1x1 conv + BN) projected input, ReLU
    (He et al., 2016)."""

    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.residual = nn.Sequential(
            conv3x3(in_channels, out_channels, stride),
            nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True),
            conv3x3(out_channels, out_channels), nn.BatchNorm2d(out_channels))
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.residual(x) + self.shortcut(x))


class PreActBlock(nn.Module):
    """BN-ReLU-conv-BN-ReLU-conv plus the input (1x1 conv of the activated
    input when the shape changes): the wide ResNet block (Zagoruyko and
    Komodakis, 2016)."""

    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.pre = nn.Sequential(nn.BatchNorm2d(in_channels),
                                 nn.ReLU(inplace=True))
        self.residual = nn.Sequential(
            conv3x3(in_channels, out_channels, stride),
            nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True),
            conv3x3(out_channels, out_channels))
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride,
                                      bias=False)

    def forward(self, x):
        activated = self.pre(x)
        shortcut = x if self.shortcut is None else self.shortcut(activated)
        return self.residual(activated) + shortcut


@MODELS.register_module()
class CifarResNet(BaseModule):
    """A 3x3 stem conv, then three stages of ``(depth - 2) / 6`` basic blocks
    (strides 1, 2, 2): resnet20/56 with ``widths=(16, 16, 32, 64)``,
    resnet8x4/32x4 with ``widths=(32, 64, 128, 256)``.

    Args:
        depth (int): 6n + 2 layers.
        widths (Sequence[int]): channels of the stem and of the 3 stages.
            Defaults to (16, 16, 32, 64).
        out_indices (Sequence[int]): stages (0-2) whose outputs are returned.
            Defaults to (2,), the (B, widths[3], H/4, W/4) map.
        init_cfg (dict | list[dict], optional): Defaults to Kaiming for
            convs and constant 1 for BN.
    """
    block = BasicBlock
    depth_offset = 2

    def __init__(self, depth, widths=(16, 16, 32, 64), out_indices=(2, ),
                 init_cfg=DEFAULT_INIT):
        super().__init__(init_cfg=list(init_cfg) if init_cfg else None)
        name = type(self).__name__
        if (depth - self.depth_offset) % 6 or depth <= self.depth_offset:
            raise ValueError(f'{name}: depth must be 6n + '
                             f'{self.depth_offset} (n >= 1), got {depth}')
        if len(widths) != 4:
            raise ValueError(f'{name}: widths needs 4 values (stem and 3 '
                             f'stages), got {tuple(widths)}')
        if not set(out_indices) <= {0, 1, 2}:
            raise ValueError(f'{name}: out_indices must be in [0, 2], got '
                             f'{tuple(out_indices)}')
        self.out_indices = tuple(out_indices)
        blocks = (depth - self.depth_offset) // 6
        self.stem = self.make_stem(widths[0])
        self.stages = nn.ModuleList()
        channels = widths[0]
        for index, (width, stride) in enumerate(zip(widths[1:], (1, 2, 2))):
            layers = []
            for b in range(blocks):
                layers.append(self.block(channels, width,
                                         stride if b == 0 else 1))
                channels = width
            if index == 2:
                layers += self.make_last_stage_end(channels)
            self.stages.append(nn.Sequential(*layers))

    def make_stem(self, channels):
        return nn.Sequential(conv3x3(3, channels), nn.BatchNorm2d(channels),
                             nn.ReLU(inplace=True))

    def make_last_stage_end(self, channels):
        return []

    def forward(self, x):
        """(B, 3, H, W) -> tuple of the ``out_indices`` stage outputs."""
        x = self.stem(x)
        outs = []
        for index, stage in enumerate(self.stages):
            x = stage(x)
            if index in self.out_indices:
                outs.append(x)
        return tuple(outs)


@MODELS.register_module()
class WideResNet(CifarResNet):
    """WRN-depth-k: a 3x3 stem conv with 16 channels, three stages of
    ``(depth - 4) / 6`` pre-activation blocks of 16k, 32k and 64k channels,
    and a final BN-ReLU (WRN-40-2, WRN-16-2 in the CIFAR-100 benchmark).

    Args:
        depth (int): 6n + 4 layers.
        widen_factor (int): k. Defaults to 1.
        out_indices (Sequence[int]): as in ``CifarResNet``.
        init_cfg (dict | list[dict], optional): as in ``CifarResNet``.
    """
    block = PreActBlock
    depth_offset = 4

    def __init__(self, depth, widen_factor=1, out_indices=(2, ),
                 init_cfg=DEFAULT_INIT):
        k = widen_factor
        super().__init__(depth, (16, 16 * k, 32 * k, 64 * k), out_indices,
                         init_cfg)

    def make_stem(self, channels):
        return conv3x3(3, channels)

    def make_last_stage_end(self, channels):
        return [nn.BatchNorm2d(channels), nn.ReLU(inplace=True)]
