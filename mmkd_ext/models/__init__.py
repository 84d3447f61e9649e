"""Models of mmkd_ext: distillers, losses, backbones, registered in
``mmkd_ext.registry.MODELS``. Importing this package does not import mmdet,
mmseg or mmpretrain."""
from . import backbones, distillers, losses  # noqa: F401
