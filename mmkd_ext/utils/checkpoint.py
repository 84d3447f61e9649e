"""Safe checkpoint loading for mmengine on torch >= 2.6.

torch >= 2.6 loads with ``weights_only=True``, which refuses the few
non-tensor objects that mmengine writes into every training checkpoint (the
message hub's ``HistoryBuffer`` with its numpy arrays). Instead of switching
that check off, every loader of mmengine's ``CheckpointLoader`` is wrapped so
that, *only while it loads*, exactly the types below are allow-listed. They
were found by saving mmengine, mmpretrain, mmdet and mmseg checkpoints and
loading them back (see ``tests/test_utils/test_checkpoint.py``).

``HistoryBuffer`` pickles its statistic methods as
``getattr(HistoryBuffer, 'min')``. Rather than allow-listing the builtin
``getattr``, the pickle's ``builtins.getattr`` is mapped to
:func:`history_buffer_statistic`, which resolves only those methods.

A checkpoint holding any other pickled type fails with
:class:`UnsafeCheckpointError`, which names the type and the file.
"""
import functools
import pickle
import re

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader


# HistoryBuffer registers these on its first instance only, so a fresh
# process that loads a checkpoint before creating one needs them named here.
DEFAULT_STATISTICS = ('min', 'max', 'current', 'mean')


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint contains a pickled type outside the allow-list."""


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
    raise UnsafeCheckpointError(
        f'refusing getattr({owner!r}, {name!r}) while unpickling: only '
        f'HistoryBuffer statistic methods are allowed')


CHECKPOINT_SAFE_GLOBALS = [
    HistoryBuffer,
    np._core.multiarray._reconstruct,
    np._core.multiarray.scalar,
    np.ndarray,
    np.dtype,
    np.dtypes.Float64DType,
    np.dtypes.Int64DType,
    (history_buffer_statistic, 'builtins.getattr'),
]

_TYPE_IN_MESSAGE = re.compile(
    r"GLOBAL ([\w.]+)|got <class '([\w.]+)'>|unrecognized function (\S+)"
    r"|refusing (getattr\(.*?\)) while")


def _refused_type(message):
    match = _TYPE_IN_MESSAGE.search(message)
    if match is None:
        return None
    return next(group for group in match.groups() if group)


def safe_loader(loader):
    """Wrap a ``CheckpointLoader`` loader ``fn(filename, map_location)`` so it
    loads under the allow-list and names any refused type."""

    @functools.wraps(loader)
    def load(filename, map_location=None, *args, **kwargs):
        with torch.serialization.safe_globals(CHECKPOINT_SAFE_GLOBALS):
            try:
                return loader(filename, map_location, *args, **kwargs)
            except pickle.UnpicklingError as err:
                refused = _refused_type(str(err))
                if refused is None:
                    raise
                raise UnsafeCheckpointError(
                    f'Checkpoint {filename!r} contains the pickled type '
                    f'{refused!r}, which is not in mmkd_ext\'s allow-list for '
                    f'weights_only loading (mmkd_ext.utils.checkpoint.'
                    f'CHECKPOINT_SAFE_GLOBALS). It was not loaded. If you '
                    f'trust the file, re-save it with only tensors and plain '
                    f'Python containers.') from None

    load.mmkd_safe = True
    return load


def install_safe_checkpoint_loading():
    """Wrap every loader registered in mmengine's ``CheckpointLoader``.

    Idempotent. Loaders registered later are not wrapped; call again after
    registering one.
    """
    for prefix, loader in list(CheckpointLoader._schemes.items()):
        if not getattr(loader, 'mmkd_safe', False):
            CheckpointLoader.register_scheme(
                prefix, safe_loader(loader), force=True)
