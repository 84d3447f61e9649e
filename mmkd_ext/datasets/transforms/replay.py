"""Replayable augmentation and the cached teacher it reads (FKD-style
distillation without a teacher in the training loop: Shen and Xing, ECCV
2022)."""
import contextlib
import hashlib
import json
import os.path as osp
import random

import numpy as np
import torch
from mmcv.transforms import BaseTransform, Compose

from mmkd_ext.registry import TRANSFORMS

CACHE_META = 'meta.json'


class TeacherCacheError(ValueError):
    """A teacher cache that does not fit the training data; the message
    names the file and the mismatch."""


def crop_seed(seed, sample_idx, crop_idx):
    """The RNG seed of view ``crop_idx`` of sample ``sample_idx``."""
    key = f'{seed}/{sample_idx}/{crop_idx}'.encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:4], 'little')


@contextlib.contextmanager
def seeded_rng(seed):
    """numpy's and python's global RNGs seeded within, restored after (the
    OpenMMLab transforms draw from them)."""
    np_state, py_state = np.random.get_state(), random.getstate()
    np.random.seed(seed)
    random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)


def fingerprint(transforms, crops_per_image, seed):
    """What decides the replayed views: the random transforms' configs,
    K and the seed."""
    text = json.dumps(dict(transforms=transforms, crops=crops_per_image,
                           seed=seed), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class TeacherCache:
    """The soft labels ``tools/cache_teacher.py`` wrote into ``path``:
    ``meta.json`` and shards of (n, K, C) float16 probabilities, or their
    top-k values and class indices. Loaded on first use."""

    def __init__(self, path):
        self.path = path
        meta_file = osp.join(path, CACHE_META)
        if not osp.isfile(meta_file):
            raise TeacherCacheError(
                f'teacher_cache: {meta_file!r} does not exist; write the '
                f'cache with tools/cache_teacher.py first')
        with open(meta_file) as f:
            self.meta = json.load(f)
        self._probs = self._indices = None

    def _load(self):
        shards = [torch.load(osp.join(self.path, name), weights_only=True)
                  for name in self.meta['shards']]
        self._probs = torch.cat([s['probs'] for s in shards])
        if self.meta['topk']:
            self._indices = torch.cat([s['indices'] for s in shards])
        self.labels = torch.cat([s['labels'] for s in shards])
        self.paths = [p for s in shards for p in s['paths']]

    def log_probs(self, sample_idx, crop_idx):
        """(C,) float32 log-probabilities of the teacher on one view: the
        stored probabilities, or, for top-k, the top-k with the remaining
        mass spread evenly over the other classes."""
        if self._probs is None:
            self._load()
        probs = self._probs[sample_idx, crop_idx].float()
        if self.meta['topk']:
            num_classes = self.meta['num_classes']
            rest = (1 - probs.sum()).clamp_min(0) / (
                num_classes - self.meta['topk'])
            dense = torch.full((num_classes, ), float(rest))
            dense[self._indices[sample_idx, crop_idx].long()] = probs
            probs = dense
        return probs.clamp_min(1e-8).log()

    def check_sample(self, sample_idx, img_path, gt_label):
        """The cache describes this training sample: same index range, same
        image, same label."""
        if self._probs is None:
            self._load()
        if sample_idx >= len(self.paths):
            raise TeacherCacheError(
                f'teacher_cache {self.path!r} holds {len(self.paths)} '
                f'images, but the training set has sample {sample_idx}: '
                f'another dataset (size)')
        if osp.basename(self.paths[sample_idx]) != osp.basename(img_path) \
                or int(self.labels[sample_idx]) != int(gt_label):
            raise TeacherCacheError(
                f'teacher_cache {self.path!r}: sample {sample_idx} is '
                f'{self.paths[sample_idx]!r} with label '
                f'{int(self.labels[sample_idx])} in the cache but '
                f'{img_path!r} with label {int(gt_label)} here: another '
                f'dataset, order or classes')


@TRANSFORMS.register_module()
class ReplayedAugment(BaseTransform):
    """Run the random ``transforms`` as view ``c`` of the sample, one of
    ``crops_per_image`` fixed views per image: the RNGs are seeded from
    (``seed``, ``sample_idx``, c), so view c of an image is the same crop
    and flip every time. c is drawn afresh at every load (from the global
    RNG), unless ``results['crop_idx']`` fixes it (``tools/cache_teacher.py``
    does).

    With ``teacher_cache`` (a folder written by ``tools/cache_teacher.py``
    for this pipeline) it also adds ``teacher_logits``, the teacher's
    log-probabilities on this very view, which ``PackInputs`` carries to
    the distiller when listed in its ``meta_keys``. A cache of another
    pipeline (transforms, K, seed), dataset or class list is refused with an
    error naming the file and the mismatch.

    Args:
        transforms (list[dict]): the random transforms (e.g.
            ``RandomResizedCrop``, ``RandomFlip``).
        crops_per_image (int): K.
        seed (int): Defaults to 0.
        teacher_cache (str, optional): the cache folder.
    """

    def __init__(self, transforms, crops_per_image, seed=0,
                 teacher_cache=None):
        if crops_per_image < 1:
            raise ValueError(f'crops_per_image must be >= 1, got '
                             f'{crops_per_image}')
        self.transforms = Compose(transforms)
        self.transform_cfgs = transforms
        self.crops_per_image = crops_per_image
        self.seed = seed
        self.fingerprint = fingerprint(transforms, crops_per_image, seed)
        self.cache = None
        if teacher_cache is not None:
            self.cache = TeacherCache(teacher_cache)
            meta = self.cache.meta
            if meta['fingerprint'] != self.fingerprint:
                raise TeacherCacheError(
                    f'teacher_cache {teacher_cache!r} was written for other '
                    f'views (crops_per_image {meta["crops_per_image"]}, '
                    f'seed {meta["seed"]}, transforms {meta["transforms"]})'
                    f' than this ReplayedAugment (crops_per_image '
                    f'{crops_per_image}, seed {seed}, transforms '
                    f'{transforms}): another pipeline')

    def transform(self, results):
        crop = results.get('crop_idx')
        if crop is None:
            crop = int(np.random.randint(self.crops_per_image))
        idx = results['sample_idx']
        with seeded_rng(crop_seed(self.seed, idx, crop)):
            results = self.transforms(results)
        results['crop_idx'] = crop
        if self.cache is not None:
            self.cache.check_sample(idx, results['img_path'],
                                    results['gt_label'])
            results['teacher_logits'] = self.cache.log_probs(idx, crop)
        return results
