"""Metrics of mmkd_ext, registered in ``mmkd_ext.registry.METRICS``."""
from .calibration import ExpectedCalibrationError, expected_calibration_error
from .cmi import ConditionalMutualInformation

__all__ = [
    'ConditionalMutualInformation', 'ExpectedCalibrationError',
    'expected_calibration_error'
]
