"""A multi-layer perceptron backbone: a non-convolutional student."""
import torch.nn as nn
from mmengine.model import BaseModule

from mmkd_ext.registry import MODELS


@MODELS.register_module()
class MLP(BaseModule):
    """Flatten the image and apply ``Linear -> ReLU`` layers; it has no
    translation equivariance (the student of HARD's toy experiment).

    (B, C, H, W) -> ((B, hidden_dims[-1]), ), a one-tuple like mmpretrain
    backbones, so a ``LinearClsHead`` can follow it without a neck.

    Args:
        in_channels (int): C.
        input_size (int | tuple[int, int]): (H, W) of the images.
        hidden_dims (Sequence[int]): widths of the hidden layers.
        dropout (float): dropout after each hidden layer. Defaults to 0.
    """

    def __init__(self, in_channels, input_size, hidden_dims=(256, ),
                 dropout=0.0, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if not hidden_dims:
            raise ValueError('MLP: hidden_dims is empty')
        height, width = (input_size, input_size) \
            if isinstance(input_size, int) else input_size
        self.input_shape = (in_channels, height, width)
        layers, dim = [], in_channels * height * width
        for hidden in hidden_dims:
            layers += [nn.Linear(dim, hidden), nn.ReLU()]
            if dropout:
                layers.append(nn.Dropout(dropout))
            dim = hidden
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        if tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(
                f'MLP: expects images of shape (C, H, W) = '
                f'{self.input_shape} (in_channels, input_size), got '
                f'{tuple(x.shape[1:])}')
        return (self.layers(x.flatten(1)), )
