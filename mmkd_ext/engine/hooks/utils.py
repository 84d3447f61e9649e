"""Helpers shared by the hooks."""
from mmengine.model import is_model_wrapper

from mmkd_ext.models.distillers.teacher_inputs import converts_to_rgb  # noqa: F401,E501


def unwrap_model(runner):
    """The runner's model without its DDP wrapper."""
    return runner.model.module if is_model_wrapper(runner.model) else \
        runner.model


def find_modules(runner, module_type, hook):
    """All ``module_type`` submodules of the runner's model; a TypeError
    naming ``hook`` when there is none."""
    found = [m for m in unwrap_model(runner).modules()
             if isinstance(m, module_type)]
    if not found:
        raise TypeError(f'{type(hook).__name__} found no '
                        f'{module_type.__name__} in the model')
    return found
