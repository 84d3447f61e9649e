"""Metrics of mmkd_ext, registered in ``mmkd_ext.registry.METRICS``."""
