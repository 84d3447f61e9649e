"""Pipeline transforms of mmkd_ext, registered in ``mmkd_ext.registry.TRANSFORMS``."""
