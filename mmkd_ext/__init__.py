"""mmkd_ext: knowledge distillation for OpenMMLab.

Importing it creates the ``mmkd_ext`` registries, makes mmengine load
checkpoints safely (tensors, its own types and numpy numbers only) and makes
``mmkd_ext::<method>/<config>.py`` a base-config name. It never imports
mmdet, mmseg or mmpretrain; the modules that need them are imported when a
config names them.
"""
from . import registry  # noqa: F401
from .utils.checkpoint import install_safe_checkpoint_loading
from .utils.config import register_config_scope

__version__ = '0.1.0'

install_safe_checkpoint_loading()
register_config_scope()
