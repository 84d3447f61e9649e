"""Safe checkpoint loading for mmengine, on every supported torch and numpy.

Every loader of mmengine's ``CheckpointLoader`` (local files, ``http(s)://``,
``torchvision://``, ``open-mmlab://``, ``openmmlab://``, ``mmcls://`` and any
scheme registered later) runs, *only while it loads*, with every
``torch.load`` it makes (the one inside ``torch.hub.load_state_dict_from_url``
too; downloads still go to the torch hub cache) unpickling through
:mod:`mmkd_ext.utils.restricted_pickle`: tensors, mmengine's
``HistoryBuffer`` and numpy bool and numeric values load, nothing else is
resolved. This does not depend on torch's ``weights_only`` machinery, so it
is the same on torch 2.1 and on current torch, and on numpy 1 and 2.

A checkpoint holding any other pickled global fails with
:class:`UnsafeCheckpointError`, which names the global and the file or URL;
no code of a type outside the list runs. A file the user trusts is named,
one by one, in the environment variable ``MMKD_EXT_TRUSTED_CHECKPOINTS``
(comma-separated paths or URLs) or with :func:`trust_checkpoint`; it is
then unpickled in full. There is no switch that trusts every file.
"""
import contextlib
import functools
import os
import os.path as osp
import pickle

import torch
from mmengine.runner.checkpoint import CheckpointLoader

from . import restricted_pickle

TRUSTED_ENV = 'MMKD_EXT_TRUSTED_CHECKPOINTS'
# torch.load as torch defines it: every load goes through it with the pickle
# module of its context, also when contexts nest
TORCH_LOAD = torch.load
# torch >= 2.4 reads these at every torch.load; they would override the
# weights_only=False that a pickle module needs
TORCH_WEIGHTS_ONLY_ENV = ('TORCH_FORCE_WEIGHTS_ONLY_LOAD',
                          'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD')
_trusted = set()


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint contains a pickled type outside the allow-list."""


def _source_key(source):
    """A URL as it is; a local path made absolute, links resolved."""
    source = str(source)
    return source if '://' in source else osp.realpath(
        osp.expanduser(source))


def trust_checkpoint(source):
    """Unpickle the checkpoint ``source`` (a path or URL, exactly as it is
    loaded) in full from now on in this process: only for a file whose
    origin you trust, since unpickling can run any code."""
    _trusted.add(_source_key(source))


def is_trusted(source):
    """Whether ``source`` was named by :func:`trust_checkpoint` or in
    ``MMKD_EXT_TRUSTED_CHECKPOINTS``."""
    named = {_source_key(s.strip())
             for s in os.environ.get(TRUSTED_ENV, '').split(',') if s.strip()}
    return _source_key(source) in _trusted | named


@contextlib.contextmanager
def torch_load_with(pickle_module):
    """Within the context, every ``torch.load`` unpickles with
    ``pickle_module`` (whatever ``weights_only`` its caller passes)."""
    saved = {k: os.environ.pop(k) for k in TORCH_WEIGHTS_ONLY_ENV
             if k in os.environ}
    previous = torch.load

    @functools.wraps(TORCH_LOAD)
    def load(f, map_location=None, pickle_module_=None, *, weights_only=None,
             **kwargs):
        return TORCH_LOAD(f, map_location, pickle_module=pickle_module,
                          weights_only=False, **kwargs)

    torch.load = load
    try:
        yield
    finally:
        torch.load = previous
        os.environ.update(saved)


def refusal_message(source, name):
    return (
        f'Checkpoint {source!r} contains the pickled global {name!r}, which '
        f'mmkd_ext does not load: it loads tensors, mmengine\'s '
        f'HistoryBuffer and numpy bool and numeric values '
        f'(mmkd_ext.utils.restricted_pickle). The file was not loaded, and '
        f'no code of a type outside that list ran. If you trust the file, '
        f'name it: {TRUSTED_ENV}={source} (comma-separated for several), or '
        f'mmkd_ext.utils.checkpoint.trust_checkpoint({source!r}) before '
        f'loading; it is then unpickled in full.')


def safe_loader(loader):
    """Wrap a ``CheckpointLoader`` loader ``fn(filename, map_location)`` so
    that it loads through the allow-list (in full for a trusted file) and
    names any refused global."""
    if getattr(loader, 'mmkd_safe', False):
        return loader

    @functools.wraps(loader)
    def load(filename, map_location=None, *args, **kwargs):
        if is_trusted(filename):
            with torch_load_with(pickle):
                return loader(filename, map_location, *args, **kwargs)
        with torch_load_with(restricted_pickle):
            try:
                return loader(filename, map_location, *args, **kwargs)
            except restricted_pickle.RefusedGlobal as err:
                raise UnsafeCheckpointError(
                    refusal_message(filename, err.name)) from None

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
