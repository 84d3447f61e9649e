"""mmkd_ext: knowledge distillation for OpenMMLab on current PyTorch.

Importing it creates the ``mmkd_ext`` registries and makes mmengine load
checkpoints safely on torch >= 2.6. It never imports mmdet, mmseg or
mmpretrain; the modules that need them are imported when a config names them.
"""
from . import registry  # noqa: F401
from .utils.checkpoint import install_safe_checkpoint_loading

__version__ = '0.1.0'

install_safe_checkpoint_loading()
