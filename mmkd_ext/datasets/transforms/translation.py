"""Padding and integer translations for the shift-equivariance protocol
(HARD's toy experiment: digits padded to 40x40, test digits translated)."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmkd_ext.registry import TRANSFORMS


def _shift(img, dy, dx, fill):
    """``img`` moved by (dy, dx) pixels (down, right); uncovered pixels get
    ``fill``."""
    out = np.full_like(img, fill)
    height, width = img.shape[:2]
    if abs(dy) >= height or abs(dx) >= width:
        return out
    out[max(0, dy):height + min(0, dy), max(0, dx):width + min(0, dx)] = \
        img[max(0, -dy):height - max(0, dy), max(0, -dx):width - max(0, dx)]
    return out


@TRANSFORMS.register_module()
class CenterPad(BaseTransform):
    """Pad ``results['img']`` on all sides to ``size`` = (h, w), keeping it
    centred (mmcv's ``Pad`` pads bottom and right only).

    Args:
        size (tuple[int, int]): output (h, w); at least the image size.
        pad_val (int | float): Defaults to 0.
    """

    def __init__(self, size, pad_val=0):
        self.size = tuple(size)
        self.pad_val = pad_val

    def transform(self, results):
        img = results['img']
        height, width = img.shape[:2]
        if height > self.size[0] or width > self.size[1]:
            raise ValueError(
                f'CenterPad: size={self.size} is smaller than the image '
                f'({height}, {width})')
        top, left = (self.size[0] - height) // 2, (self.size[1] - width) // 2
        pad = [(top, self.size[0] - height - top),
               (left, self.size[1] - width - left)] + \
            [(0, 0)] * (img.ndim - 2)
        results['img'] = np.pad(img, pad, constant_values=self.pad_val)
        results['img_shape'] = results['img'].shape[:2]
        return results


@TRANSFORMS.register_module()
class RandomIntegerTranslate(BaseTransform):
    """Translate ``results['img']`` by integer offsets (dy, dx), each
    ``round(N(0, std^2))`` clipped to [-max_shift, max_shift] (the affNIST
    protocol: std 5, max_shift 6 on 40x40 digits). Uncovered pixels get
    ``pad_val``.

    Args:
        std (float): Defaults to 5.0.
        max_shift (int): Defaults to 6.
        pad_val (int | float): Defaults to 0.
        seed (int, optional): with a seed, the offsets of an image depend
            only on ``(seed, results['sample_idx'])``, so a test set is
            translated the same way in every run; without, they are drawn
            from numpy's global generator (a training augmentation).
    """

    def __init__(self, std=5.0, max_shift=6, pad_val=0, seed=None):
        if std < 0 or max_shift < 0:
            raise ValueError(f'RandomIntegerTranslate: std and max_shift '
                             f'must be >= 0, got {std}, {max_shift}')
        self.std = std
        self.max_shift = max_shift
        self.pad_val = pad_val
        self.seed = seed

    def offsets(self, results):
        if self.seed is None:
            normal = np.random.normal(0, self.std, 2)
        else:
            if 'sample_idx' not in results:
                raise KeyError('RandomIntegerTranslate: seed is set but the '
                               'sample has no sample_idx')
            normal = np.random.default_rng(
                (self.seed, results['sample_idx'])).normal(0, self.std, 2)
        return np.clip(np.round(normal), -self.max_shift,
                       self.max_shift).astype(int)

    def transform(self, results):
        dy, dx = self.offsets(results)
        results['img'] = _shift(results['img'], int(dy), int(dx),
                                self.pad_val)
        results['translation'] = (int(dy), int(dx))
        return results
