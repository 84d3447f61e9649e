"""One optimizer per part of a model: an ``OptimWrapperDict`` constructor."""
import copy

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict

from mmkd_ext.registry import OPTIM_WRAPPER_CONSTRUCTORS


class OptimWrapperConfigError(ValueError):
    """An ``optim_wrapper`` config that does not fit the model; the message
    names the key."""


class SeparateOptimWrappers(OptimWrapperDict):
    """mmengine's ``OptimWrapperDict``, with a clear error when a model
    wrapper tries to step it as one optimizer (mmengine's DDP wrapper
    does: it runs its own one-optimizer step instead of the model's)."""

    def optim_context(self, model):
        raise OptimWrapperConfigError(
            f'optim_wrapper has separate optimizers {list(self.optim_wrappers)} '
            f'that the '
            f'model steps itself, but the model wrapper stepped them as one; '
            f'under torch.distributed set model_wrapper_cfg=dict('
            f"type='MMSeparateDistributedDataParallel')")


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class OptimWrapperDictConstructor:
    """Build one optimizer wrapper per part of a model, for models that
    step several parts separately (e.g. ``HARDDistiller``: the student and
    the augmentor)::

        optim_wrapper = dict(
            _delete_=True,
            constructor='mmkd_ext.OptimWrapperDictConstructor',
            student=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
            augmentor=dict(optimizer=dict(type='Adam', lr=1e-3),
                           clip_grad=dict(max_norm=1.0)))

    Each entry is an ordinary ``optim_wrapper`` config (``type``,
    ``optimizer``, ``paramwise_cfg``, ``clip_grad``, ...), built by
    mmengine's ``DefaultOptimWrapperConstructor``. An entry trains the
    submodules the model lists for it in ``optim_wrapper_modules``
    (``HARDDistiller``: ``student`` = the student and the distillation
    losses' parameters; ``augmentor``), or else the submodule of its name.
    Parameter names (``paramwise_cfg.custom_keys``) are those of the model.

    Every trainable parameter must be in some optimizer: one in none (it
    would never train) is an error naming it.

    Param schedulers: a list applies to every entry; a dict keyed by the
    entry names gives each its own (mmengine's rule for OptimWrapperDict).
    """

    def __init__(self, optim_wrapper_cfg, paramwise_cfg=None):
        if paramwise_cfg is not None:
            raise OptimWrapperConfigError(
                'optim_wrapper.paramwise_cfg: with OptimWrapperDictConstructor'
                ' put paramwise_cfg inside each entry (optim_wrapper.<name>.'
                'paramwise_cfg)')
        if not optim_wrapper_cfg:
            raise OptimWrapperConfigError(
                'optim_wrapper: OptimWrapperDictConstructor needs one entry '
                'per trained submodule, e.g. student=dict(optimizer=...)')
        for name, cfg in optim_wrapper_cfg.items():
            if not isinstance(cfg, dict) or 'optimizer' not in cfg:
                raise OptimWrapperConfigError(
                    f'optim_wrapper.{name}: must be an optim_wrapper config '
                    f'with an optimizer, got {cfg!r}')
        self.optim_wrapper_cfg = copy.deepcopy(optim_wrapper_cfg)

    def __call__(self, model):
        model = getattr(model, 'module', model)  # DDP wrapper
        modules = dict(getattr(model, 'optim_wrapper_modules', {}))
        missing = [k for k in modules if k not in self.optim_wrapper_cfg]
        if missing:
            raise OptimWrapperConfigError(
                f'optim_wrapper: {type(model).__name__} steps '
                f'{list(modules)} with separate optimizers, but the config '
                f'has no entry for {missing} (add optim_wrapper.{missing[0]}'
                f'=dict(optimizer=...))')
        wrappers = {}
        for name, cfg in self.optim_wrapper_cfg.items():
            part = self._part(model, name, modules.get(name, (name, )))
            cfg = copy.deepcopy(cfg)
            paramwise_cfg = cfg.pop('paramwise_cfg', None)
            wrappers[name] = DefaultOptimWrapperConstructor(
                cfg, paramwise_cfg)(part)
        self._check_every_parameter_trains(model, wrappers)
        return SeparateOptimWrappers(**wrappers)

    @staticmethod
    def _part(model, name, submodules):
        """The submodules an entry trains, in an ``nn.ModuleDict`` so that
        parameter names are the model's."""
        part = nn.ModuleDict()
        for submodule in submodules:
            module = getattr(model, submodule, None)
            if not isinstance(module, nn.Module):
                raise OptimWrapperConfigError(
                    f'optim_wrapper.{name}: {type(model).__name__} has no '
                    f'submodule {submodule!r} to optimize')
            part[submodule] = module
        return part

    @staticmethod
    def _check_every_parameter_trains(model, wrappers):
        optimized = {id(p) for wrapper in wrappers.values()
                     for group in wrapper.optimizer.param_groups
                     for p in group['params']}
        left_out = [name for name, p in model.named_parameters()
                    if p.requires_grad and id(p) not in optimized]
        if left_out:
            raise OptimWrapperConfigError(
                f'optim_wrapper: {len(left_out)} trainable parameters of '
                f'{type(model).__name__} are in no optimizer and would never '
                f'train: {left_out[:8]}; add an entry for their submodule '
                f'(entries: {list(wrappers)})')
