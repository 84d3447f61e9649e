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

    def log_stats(self, image_size):
        """The members' statistics, prefixed ``<index>.`` when several
        members have some."""
        stats = [a.log_stats(image_size) for a in self.augmentors]
        if sum(bool(s) for s in stats) <= 1:
            return {k: v for s in stats for k, v in s.items()}
        return {f'{i}.{k}': v for i, s in enumerate(stats)
                for k, v in s.items()}
