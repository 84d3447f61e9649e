"""Helpers shared by the hooks."""
from mmengine.model import is_model_wrapper


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


def converts_to_rgb(preprocessor):
    """Whether a data preprocessor flips the channel order of its inputs
    (the BGR images that OpenMMLab loaders read become RGB): mmpretrain's
    ``to_rgb``, mmseg's ``channel_conversion`` or mmengine's (mmdet's)
    ``_channel_conversion``."""
    return any(getattr(preprocessor, flag, False) for flag in
               ('to_rgb', 'channel_conversion', '_channel_conversion'))
