"""Hooks of mmkd_ext, registered in ``mmkd_ext.registry.HOOKS``."""
