"""Sizes PS-KD's memory and sets its alpha each epoch."""
from mmengine.hooks import Hook

from mmkd_ext.registry import HOOKS
from .utils import find_modules


@HOOKS.register_module()
class PSKDHook(Hook):
    """For every ``PSKDHead`` of the model: before training, allocate its
    memory with the training set's length (unless a resumed checkpoint
    already sized it, which must then match); before each epoch, set
    ``alpha_e = alpha_T * (e + 1) / E`` (0-based e)."""

    def _heads(self, runner):
        from mmkd_ext.models.heads import PSKDHead
        return find_modules(runner, PSKDHead, self)

    def before_train(self, runner):
        size = len(runner.train_dataloader.dataset)
        for head in self._heads(runner):
            if len(head.memory) == 0:
                head.memory.allocate(size)
            elif len(head.memory) != size:
                raise ValueError(
                    f'the PS-KD memory holds {len(head.memory)} samples but '
                    f'the training set has {size}')

    def before_train_epoch(self, runner):
        for head in self._heads(runner):
            head.set_epoch(runner.epoch, runner.max_epochs)
