"""Metrics of mmkd_ext, registered in ``mmkd_ext.registry.METRICS``."""
from .calibration import ExpectedCalibrationError, expected_calibration_error

__all__ = ['ExpectedCalibrationError', 'expected_calibration_error']
