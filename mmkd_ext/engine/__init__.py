"""Engine parts of mmkd_ext: hooks, loops and optimizer wrappers."""
from .optim_wrapper_dict import (OptimWrapperConfigError,
                                 OptimWrapperDictConstructor)

__all__ = ['OptimWrapperConfigError', 'OptimWrapperDictConstructor']
