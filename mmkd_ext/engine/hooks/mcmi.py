"""Computes MCMI's class centroids by a pass over the training set."""
import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmkd_ext.models.data_samples import classification_labels
from mmkd_ext.models.losses.mcmi import ClassProbabilityStats
from mmkd_ext.registry import HOOKS
from .utils import find_modules, unwrap_model

MODEL_MODES = ('eval', 'train')


@torch.no_grad()
def class_probability_stats(model, dataloader, num_classes):
    """``ClassProbabilityStats`` of ``softmax(model(x))`` over one pass of
    ``dataloader`` (no batch augmentation), summed over ranks."""
    stats = None
    for data in dataloader:
        data = model.data_preprocessor(data, False)
        logits = model(**data, mode='tensor')
        if stats is None:
            stats = ClassProbabilityStats(num_classes, logits.device)
        labels = classification_labels(data['data_samples'])
        stats.update(torch.softmax(logits.float(), dim=1), labels)
    if stats is None:
        raise ValueError('MCMICentroidHook: the training dataloader is empty')
    stats.all_reduce()
    return stats


@HOOKS.register_module()
class MCMICentroidHook(Hook):
    """Fills the centroids of every ``MCMIHead`` with the model's mean
    prediction per class over the training set (methods.md 4.3, step 2).

    The pass runs before training, unless the centroids were restored from a
    resumed checkpoint; with ``recompute_every_epoch`` it runs again before
    every later epoch. Sums and counts are all-reduced, so every rank gets the
    same centroids. The pass logs the training set's CMI in nats.

    Args:
        model_mode (str): ``'eval'`` (default: BN statistics untouched) or
            ``'train'`` (as the official code: BN running statistics are
            updated by the pass).
        recompute_every_epoch (bool): Defaults to False (fixed for the
            whole fine-tune, as in the official code).
    """
    priority = 'ABOVE_NORMAL'

    def __init__(self, model_mode='eval', recompute_every_epoch=False):
        if model_mode not in MODEL_MODES:
            raise ValueError(f'MCMICentroidHook: model_mode must be one of '
                             f'{MODEL_MODES}, got {model_mode!r}')
        self.model_mode = model_mode
        self.recompute_every_epoch = recompute_every_epoch

    def _heads(self, runner):
        from mmkd_ext.models.heads import MCMIHead
        return find_modules(runner, MCMIHead, self)

    def before_train(self, runner):
        if not all(h.cmi_centroids.computed for h in self._heads(runner)):
            self.compute(runner)

    def before_train_epoch(self, runner):
        if self.recompute_every_epoch and runner.epoch > 0:
            self.compute(runner)

    def compute(self, runner):
        """One pass over the training set, then fill every head."""
        heads = self._heads(runner)
        model = unwrap_model(runner)
        was_training = model.training
        model.train(self.model_mode == 'train')
        try:
            stats = class_probability_stats(
                model, runner.train_dataloader, heads[0].num_classes)
        finally:
            model.train(was_training)
        classes = runner.train_dataloader.dataset.metainfo.get('classes')
        for head in heads:
            head.cmi_centroids.set_from(stats, classes)
        print_log(
            f'MCMI centroids computed from {int(stats.counts.sum())} '
            f'training samples (model in {self.model_mode} mode); training '
            f'set CMI {stats.cmi():.4f} nats', logger='current')
