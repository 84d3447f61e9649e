"""Few-shot and zero-shot training sets: a seeded, stratified subset of a
classification dataset, optionally without some classes (methods.md 4.3,
steps 5 and 6)."""
import numpy as np

from mmkd_ext.registry import DATASETS


def dataset_labels(dataset):
    """(N,) class index of every sample of an mmpretrain-style dataset."""
    if hasattr(dataset, 'get_gt_labels'):
        return np.asarray(dataset.get_gt_labels(), dtype=np.int64)
    return np.asarray([dataset.get_cat_ids(i)[0] for i in range(len(dataset))],
                      dtype=np.int64)


def stratified_indices(labels, fraction, drop_classes, seed):
    """Sorted indices that keep ``round(fraction * n_c)`` (at least one)
    randomly chosen samples of every class c not in ``drop_classes``."""
    rng = np.random.default_rng(seed)
    kept = []
    for c in np.unique(labels):
        if c in drop_classes:
            continue
        members = np.flatnonzero(labels == c)
        count = max(1, int(round(fraction * len(members))))
        kept.append(rng.permutation(members)[:count])
    return np.sort(np.concatenate(kept)) if kept else np.zeros(0, np.int64)


@DATASETS.register_module()
class LabelSubsetDataset:
    """A training set with a stratified fraction of each class (few-shot)
    and without the classes in ``drop_classes`` (zero-shot). The metainfo
    (all class names) is unchanged, so evaluation still covers every class;
    the accuracy on a dropped class comes only from a teacher's knowledge.
    Any config can wrap its training set::

        train_dataloader = dict(dataset=dict(
            type='mmkd_ext.LabelSubsetDataset', fraction=0.05,
            drop_classes=[3], seed=0, dataset=_base_.train_dataloader.dataset))

    Per-class accuracy (of a dropped class) comes from mmpretrain's
    ``SingleLabelMetric(items=['recall'], average=None)``.

    Args:
        dataset (dict | Dataset): the classification dataset to subset.
        fraction (float): share of each class kept, in (0, 1]. Defaults to
            1.0.
        drop_classes (list[int]): class indices left out. Defaults to none.
        seed (int): seed of the sample choice (independent of the training
            seed, so every run sees the same subset). Defaults to 0.
    """

    def __init__(self, dataset, fraction=1.0, drop_classes=(), seed=0):
        if not 0 < fraction <= 1:
            raise ValueError(
                f'LabelSubsetDataset: fraction must be in (0, 1], got '
                f'{fraction}')
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) \
            else dataset
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        labels = dataset_labels(self.dataset)
        classes = self.metainfo.get('classes')
        num_classes = len(classes) if classes else int(labels.max()) + 1
        drop_classes = [int(c) for c in drop_classes]
        outside = [c for c in drop_classes if not 0 <= c < num_classes]
        if outside:
            raise ValueError(
                f'LabelSubsetDataset: drop_classes {outside} outside the '
                f'label range [0, {num_classes}) of the training set')
        self.indices = stratified_indices(labels, fraction, drop_classes,
                                          seed)
        if len(self.indices) == 0:
            raise ValueError('LabelSubsetDataset: drop_classes removes every '
                             'class of the training set')

    @property
    def metainfo(self):
        return self.dataset.metainfo

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, idx):
        return self.dataset[int(self.indices[idx])]
