"""Several augmentors applied one after the other."""
import torch.nn as nn

from mmkd_ext.registry import MODELS
from .base import BaseAugmentor


@MODELS.register_module()
class ComposeAugmentor(BaseAugmentor):
    """``x~ = g_n(... g_1(x))``; ``Reg = sum_i Reg_i``.

    Args:
        augmentors (list[dict]): augmentor configs, applied in order
            (e.g. a colour augmentor then a spatial one).
    """

    def __init__(self, augmentors, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if not augmentors:
            raise ValueError('ComposeAugmentor: augmentors is empty')
        self.augmentors = nn.ModuleList(
            [MODELS.build(cfg) for cfg in augmentors])

    def forward(self, inputs):
        for augmentor in self.augmentors:
            inputs = augmentor(inputs)
        return inputs

    def regularizer(self):
        return sum(a.regularizer() for a in self.augmentors)
