"""The teacher's accuracy, measured once with the student's evaluator."""
import numbers

import torch
from mmengine.hooks import Hook

from mmkd_ext.registry import HOOKS
from .utils import unwrap_model


@HOOKS.register_module()
class EvaluateTeacherHook(Hook):
    """Evaluate a distiller's live teacher on the validation set, with the
    student's evaluator, at the first validation of a run, and log the
    metrics as ``teacher/<metric>`` next to the student's (with every
    validation from then on), so that a wrong ``teacher_ckpt`` shows at the
    start of a run, not after it.

    The teacher predicts on its own inputs (its data preprocessor's
    normalisation, as in training). One extra pass over the validation set,
    once per run (a resumed run measures again). Under torch.distributed
    every rank evaluates its share, as the student's validation does.

    Example::

        custom_hooks = [dict(type='mmkd_ext.EvaluateTeacherHook')]
    """
    priority = 'NORMAL'

    def __init__(self):
        self.metrics = None

    def before_train(self, runner):
        model = unwrap_model(runner)
        if not getattr(getattr(model, 'teacher', None), 'is_live', False):
            raise TypeError(
                f'EvaluateTeacherHook needs a distiller with a live teacher, '
                f'got {type(model).__name__}'
                + (" with teacher='cached'" if hasattr(model, 'teacher')
                   else ''))

    def before_val_epoch(self, runner):
        if self.metrics is not None:
            return
        model = unwrap_model(runner)
        loop = runner.val_loop
        with torch.no_grad():
            for data in loop.dataloader:
                data = model.data_preprocessor(data, False)
                outputs = model.teacher(data['inputs'], data['data_samples'],
                                        mode='predict')
                loop.evaluator.process(data_samples=outputs, data_batch=data)
        self.metrics = loop.evaluator.evaluate(len(loop.dataloader.dataset))
        runner.logger.info(
            'teacher: ' + '  '.join(f'{k}: {v}'
                                    for k, v in self.metrics.items()))

    def after_val_epoch(self, runner, metrics=None):
        # before LoggerHook (BELOW_NORMAL) writes the validation record
        for key, value in (self.metrics or {}).items():
            if isinstance(value, numbers.Number) or \
                    getattr(value, 'ndim', None) == 0:
                runner.message_hub.update_scalar(f'val/teacher/{key}',
                                                 float(value))
