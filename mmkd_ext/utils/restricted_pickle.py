"""A pickle module that resolves only allow-listed globals.

Passed to ``torch.load`` as ``pickle_module`` (which every torch version
accepts), it decides what a checkpoint may contain: a pickle can only call
or build what ``find_class`` returns, and here that is exactly
:data:`ALLOWED_GLOBALS`:

* what torch's own weights-only unpickler allows on this torch version
  (tensors, parameters, storages, dtypes, ``torch.Size``, ``OrderedDict``),
  and the plain types that current torch allows there too but torch 2.1
  does not: ``collections.Counter`` (the milestones of ``MultiStepLR`` in a
  checkpoint's scheduler state), ``set``, ``complex``, ``bytearray``, and
  ``_codecs.encode``, which protocol-2 pickles (``torch.save``'s default)
  use for ``bytes``, e.g. the data of numpy values;
* mmengine's ``HistoryBuffer`` (the message hub of every training
  checkpoint), whose statistic methods are pickled as
  ``getattr(HistoryBuffer, 'mean')``: ``builtins.getattr`` resolves to
  :func:`history_buffer_statistic`, which returns only those methods;
* numpy by family: arrays and scalars of every bool and numeric dtype
  (``numpy.dtype`` resolves to :func:`numeric_dtype`, which refuses object,
  string, structured and datetime dtypes), under the names numpy 1
  (``numpy.core.multiarray``) and numpy 2 (``numpy._core.multiarray``)
  write, both resolving to the running numpy's functions.

Any other global raises :class:`RefusedGlobal` before it is resolved, so no
code of a type outside the list ever runs.
"""
import _compat_pickle
import codecs
import collections
import pickle

import numpy as np
from mmengine.logging.history_buffer import HistoryBuffer

from .compat import torch_tensor_globals

# HistoryBuffer registers these on its first instance only, so a fresh
# process that loads a checkpoint before creating one needs them named here.
DEFAULT_STATISTICS = ('min', 'max', 'current', 'mean')
# numpy's dtype kinds: bool, signed and unsigned integers, floats, complex
NUMERIC_KINDS = 'biufc'
NUMPY_MULTIARRAY_MODULES = ('numpy.core.multiarray', 'numpy._core.multiarray')


class RefusedGlobal(pickle.UnpicklingError):
    """A pickle names a global outside the allow-list; ``name`` is it."""

    def __init__(self, name):
        super().__init__(f'refused the pickled global {name!r}')
        self.name = name


def history_buffer_statistic(owner, name):
    """Stand-in for ``getattr`` while unpickling mmengine checkpoints.

    Resolves ``(HistoryBuffer, name)`` for the statistic methods that
    ``HistoryBuffer.__getstate__`` pickles (min, max, current, mean and any
    registered with ``HistoryBuffer.register_statistics``); anything else is
    refused.
    """
    if owner is HistoryBuffer and (
            name in DEFAULT_STATISTICS
            or name in HistoryBuffer._statistics_methods):
        return getattr(HistoryBuffer, name)
    raise RefusedGlobal(f'getattr({getattr(owner, "__name__", owner)}, '
                        f'{name!r})')


def numeric_dtype(*args):
    """``numpy.dtype(*args)`` for bool and numeric dtypes only."""
    dtype = np.dtype(*args)
    if dtype.kind not in NUMERIC_KINDS:
        raise RefusedGlobal(f'numpy.dtype({dtype.str!r})')
    return dtype


def _allowed_globals():
    allowed = torch_tensor_globals()
    # pickle's own reconstructors of numpy values, whatever they are named
    reconstruct = np.ndarray.__reduce__(np.zeros(0))[0]
    scalar = np.float64(0).__reduce__()[0]
    for module in NUMPY_MULTIARRAY_MODULES:
        allowed[f'{module}._reconstruct'] = reconstruct
        allowed[f'{module}.scalar'] = scalar
    allowed.update({
        'collections.Counter': collections.Counter,
        'builtins.set': set,
        'builtins.complex': complex,
        'builtins.bytearray': bytearray,
        '_codecs.encode': codecs.encode,
        'numpy.ndarray': np.ndarray,
        'numpy.dtype': numeric_dtype,
        f'{HistoryBuffer.__module__}.HistoryBuffer': HistoryBuffer,
        'builtins.getattr': history_buffer_statistic,
    })
    return allowed


ALLOWED_GLOBALS = _allowed_globals()


class Unpickler(pickle.Unpickler):
    """``pickle.Unpickler`` that resolves only :data:`ALLOWED_GLOBALS`."""

    def find_class(self, module, name):
        # protocol-2 pickles (torch.save's default) name Python 2's modules,
        # e.g. __builtin__.getattr; pickle maps them as its own find_class
        # does
        module, name = _compat_pickle.NAME_MAPPING.get((module, name),
                                                       (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        try:
            return ALLOWED_GLOBALS[f'{module}.{name}']
        except KeyError:
            raise RefusedGlobal(f'{module}.{name}') from None


def load(file, **kwargs):
    """``pickle.load`` through :class:`Unpickler` (torch reads the legacy
    format's header with it)."""
    return Unpickler(file, **kwargs).load()
