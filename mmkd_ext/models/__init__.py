"""Models of mmkd_ext: distillers, losses, backbones and heads, registered
in ``mmkd_ext.registry.MODELS``. Importing this package imports neither
mmdet nor mmseg; the mmpretrain heads are registered only where mmpretrain
is installed, so a detection-only user needs no mmpretrain."""
import importlib.util

from . import augmentors, backbones, distillers, losses  # noqa: F401
from . import modules  # noqa: F401

if importlib.util.find_spec('mmpretrain') is not None:
    from . import heads  # noqa: F401
