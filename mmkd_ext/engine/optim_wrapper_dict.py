"""One optimizer per submodule: an ``OptimWrapperDict`` constructor."""
import copy

from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict

from mmkd_ext.registry import OPTIM_WRAPPER_CONSTRUCTORS


class OptimWrapperConfigError(ValueError):
    """An ``optim_wrapper`` config that does not fit the model; the message
    names the key."""


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class OptimWrapperDictConstructor:
    """Build an ``OptimWrapperDict`` with one optimizer wrapper per
    submodule of the model, for models that step several parts separately
    (e.g. ``HARDDistiller``: the student and the augmentor)::

        optim_wrapper = dict(
            _delete_=True,
            constructor='mmkd_ext.OptimWrapperDictConstructor',
            student=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
            augmentor=dict(optimizer=dict(type='Adam', lr=1e-3),
                           clip_grad=dict(max_norm=1.0)))

    Each entry is an ordinary ``optim_wrapper`` config (``type``,
    ``optimizer``, ``paramwise_cfg``, ``clip_grad``, ...), built by mmengine's
    ``DefaultOptimWrapperConstructor`` on the submodule of the same name.
    A model may list the entries it needs in ``optim_wrapper_keys``; a
    missing one is an error naming it.

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
        required = tuple(getattr(model, 'optim_wrapper_keys', ()))
        missing = [k for k in required if k not in self.optim_wrapper_cfg]
        if missing:
            raise OptimWrapperConfigError(
                f'optim_wrapper: {type(model).__name__} steps '
                f'{list(required)} with separate optimizers, but the config '
                f'has no entry for {missing} (add optim_wrapper.{missing[0]}'
                f'=dict(optimizer=...))')
        wrappers = {}
        for name, cfg in self.optim_wrapper_cfg.items():
            submodule = getattr(model, name, None)
            if submodule is None or not hasattr(submodule, 'parameters'):
                raise OptimWrapperConfigError(
                    f'optim_wrapper.{name}: {type(model).__name__} has no '
                    f'submodule {name!r} to optimize')
            cfg = copy.deepcopy(cfg)
            paramwise_cfg = cfg.pop('paramwise_cfg', None)
            wrappers[name] = DefaultOptimWrapperConstructor(
                cfg, paramwise_cfg)(submodule)
        return OptimWrapperDict(**wrappers)
