"""Change the weights of distillation losses over training."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmkd_ext.registry import HOOKS


@HOOKS.register_module()
class DistillLossScheduleHook(Hook):
    """Scale distillation losses of a distiller by iteration or epoch.

    The scale of each selected loss is, before every training iteration::

        0                              after stop_epoch / stop_iter
        min(1, (iter + 1) / warmup_iters)   otherwise (1 without warm-up)

    Args:
        losses (list[str], optional): names in ``distill_losses``; all by
            default.
        warmup_iters (int): linear warm-up length in iterations. Defaults
            to 0 (no warm-up).
        stop_epoch (int, optional): no distillation from this epoch
            (0-based) on.
        stop_iter (int, optional): no distillation from this iteration
            (0-based) on.
    """
    priority = 'NORMAL'

    def __init__(self, losses=None, warmup_iters=0, stop_epoch=None,
                 stop_iter=None):
        if warmup_iters < 0:
            raise ValueError(f'warmup_iters must be >= 0, got {warmup_iters}')
        self.losses = losses
        self.warmup_iters = warmup_iters
        self.stop_epoch = stop_epoch
        self.stop_iter = stop_iter

    def scale(self, epoch, iteration):
        if (self.stop_epoch is not None and epoch >= self.stop_epoch) or \
                (self.stop_iter is not None and iteration >= self.stop_iter):
            return 0.0
        if self.warmup_iters:
            return min(1.0, (iteration + 1) / self.warmup_iters)
        return 1.0

    def before_train(self, runner):
        model = runner.model.module if is_model_wrapper(runner.model) else \
            runner.model
        terms = getattr(model, 'terms', None)
        if terms is None:
            raise TypeError(f'DistillLossScheduleHook needs a distiller model,'
                            f' got {type(model).__name__}')
        unknown = set(self.losses or ()) - set(terms)
        if unknown:
            raise KeyError(f'DistillLossScheduleHook.losses: {sorted(unknown)}'
                           f' are not in distill_losses {sorted(terms)}')
        self._terms = [terms[name] for name in self.losses or terms]

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        value = self.scale(runner.epoch, runner.iter)
        for term in self._terms:
            term.scale = value
