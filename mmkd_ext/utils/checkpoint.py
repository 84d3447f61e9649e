"""Safe checkpoint loading for mmengine on torch >= 2.6.

torch >= 2.6 loads with ``weights_only=True``, which refuses the few
non-tensor objects that mmengine writes into every training checkpoint (the
message hub's ``HistoryBuffer`` with its numpy arrays). Instead of switching
that check off, every loader of mmengine's ``CheckpointLoader`` (local files,
``http(s)://``, ``torchvision://``, ``open-mmlab://``, ``openmmlab://``,
``mmcls://`` and any scheme registered later) runs, *only while it loads*,
with

* ``weights_only`` forced on for every ``torch.load`` it makes, including
  the one inside ``torch.hub.load_state_dict_from_url`` that mmengine's URL
  loaders call with ``weights_only=False`` (downloads still go to the torch
  hub cache, ``<TORCH_HOME>/hub/checkpoints``);
* exactly the types below allow-listed. They were found by saving mmengine,
  mmpretrain, mmdet and mmseg checkpoints and loading them back (see
  ``tests/test_utils/test_checkpoint.py``). Checkpoints written under numpy 1
  name the same numpy functions ``numpy.core.*``; those names are aliases of
  the same objects, not more types.

``HistoryBuffer`` pickles its statistic methods as
``getattr(HistoryBuffer, 'min')``. Rather than allow-listing the builtin
``getattr``, the pickle's ``builtins.getattr`` is mapped to
:func:`history_buffer_statistic`, which resolves only those methods.

A checkpoint holding any other pickled type fails with
:class:`UnsafeCheckpointError`, which names the type and the file or URL;
nothing of it is unpickled.
"""
import contextlib
import functools
import os
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


NUMPY_TYPES = [
    np._core.multiarray._reconstruct,
    np._core.multiarray.scalar,
    np.ndarray,
    np.dtype,
    np.dtypes.Float64DType,
    np.dtypes.Int64DType,
]
# numpy 1 pickles numpy._core.* as numpy.core.*: the same objects.
NUMPY1_ALIASES = [
    (np._core.multiarray._reconstruct, 'numpy.core.multiarray._reconstruct'),
    (np._core.multiarray.scalar, 'numpy.core.multiarray.scalar'),
]
CHECKPOINT_SAFE_GLOBALS = [
    HistoryBuffer,
    *NUMPY_TYPES,
    *NUMPY1_ALIASES,
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


# torch reads these at every torch.load: the first forces weights_only,
# the second (which would force it off where a caller left it unset) must
# be absent while the first is set.
FORCE_WEIGHTS_ONLY = 'TORCH_FORCE_WEIGHTS_ONLY_LOAD'
FORCE_NO_WEIGHTS_ONLY = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'


@contextlib.contextmanager
def weights_only_loading():
    """Within the context every ``torch.load`` loads with
    ``weights_only=True`` (even where a caller passes False) under the
    allow-list."""
    saved = {k: os.environ.pop(k, None)
             for k in (FORCE_WEIGHTS_ONLY, FORCE_NO_WEIGHTS_ONLY)}
    os.environ[FORCE_WEIGHTS_ONLY] = '1'
    try:
        with torch.serialization.safe_globals(CHECKPOINT_SAFE_GLOBALS):
            yield
    finally:
        os.environ.pop(FORCE_WEIGHTS_ONLY, None)
        os.environ.update({k: v for k, v in saved.items() if v is not None})


def safe_loader(loader):
    """Wrap a ``CheckpointLoader`` loader ``fn(filename, map_location)`` so it
    loads weights-only under the allow-list and names any refused type."""
    if getattr(loader, 'mmkd_safe', False):
        return loader

    @functools.wraps(loader)
    def load(filename, map_location=None, *args, **kwargs):
        with weights_only_loading():
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
    """Make every loader of mmengine's ``CheckpointLoader`` safe: those
    registered now, and any registered later (the loader lookup wraps what
    it finds). Idempotent."""
    for prefix, loader in list(CheckpointLoader._schemes.items()):
        CheckpointLoader.register_scheme(
            prefix, safe_loader(loader), force=True)
    lookup = CheckpointLoader._get_checkpoint_loader
    if not getattr(lookup, 'mmkd_safe', False):

        def safe_lookup(cls, path):
            return safe_loader(lookup.__func__(cls, path))

        safe_lookup.mmkd_safe = True
        CheckpointLoader._get_checkpoint_loader = classmethod(safe_lookup)
