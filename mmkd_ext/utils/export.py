"""Export the student of a distiller checkpoint (or a self-distilled model)
as a plain model checkpoint.

The result holds only the deployable student weights (keys without the
``student.`` prefix; the modules that declare ``training_only = True``, such
as the USKD weak head, the PS-KD memory and the MCMI centroids, left out)
and plain metadata, so the stock student config loads it with the task
library's own tools, with ``weights_only=True`` and without mmkd_ext.

Which modules are training-only is read from the model, built from the
training config (the one the checkpoint was saved with, or ``config``); the
exported weights must then load strictly into the student: the stock model
of ``student_config`` when given, else the student of the training config.
"""
import copy
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import CheckpointLoader

from mmkd_ext.registry import MODELS
from .config import ConfigError, load_config

STUDENT_PREFIX = 'student.'
KEPT_META = ('epoch', 'iter', 'dataset_meta', 'seed', 'experiment_name',
             'time', 'mmengine_version')


class ExportError(ConfigError):
    """The exported weights do not fit the student; names the keys."""


def is_plain(obj):
    """True for JSON-like values (which ``weights_only`` always loads)."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return True
    if isinstance(obj, (list, tuple)):
        return all(is_plain(x) for x in obj)
    if isinstance(obj, dict):
        return all(isinstance(k, str) and is_plain(v)
                   for k, v in obj.items())
    return False


def training_only_prefixes(model):
    """``'<path>.'`` of every submodule that declares ``training_only``."""
    return [f'{name}.' for name, module in model.named_modules()
            if name and getattr(module, 'training_only', False)]


def student_state_dict(state_dict, model):
    """Deployable student weights of a training state dict: the
    ``student.*`` entries of a distiller (prefix removed) or the whole state
    of a plain model, without the training-only modules of ``model`` (the
    student, built)."""
    if any(k.startswith(STUDENT_PREFIX) for k in state_dict):
        state_dict = {k[len(STUDENT_PREFIX):]: v
                      for k, v in state_dict.items()
                      if k.startswith(STUDENT_PREFIX)}
    dropped = tuple(training_only_prefixes(model))
    return {k: v for k, v in state_dict.items() if not k.startswith(dropped)}


def build_student(cfg):
    """The student model of a training config: a distiller's ``student``
    (with the config's data preprocessor), or the config's model."""
    model_cfg = copy.deepcopy(cfg.model)
    if 'student' in model_cfg and 'teacher' in model_cfg:
        model_cfg = model_cfg.student
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        return MODELS.build(model_cfg)


def check_loads(model, state, what, allowed_missing=()):
    """Load ``state`` strictly into ``model`` (keys in ``allowed_missing``
    may be absent); an ExportError names the keys at fault."""
    try:
        result = model.load_state_dict(state, strict=False)
    except RuntimeError as err:  # shapes of another model
        raise ExportError(f'the exported student does not load into {what}: '
                          f'{err}') from None
    missing = sorted(set(result.missing_keys) - set(allowed_missing))
    if missing or result.unexpected_keys:
        raise ExportError(
            f'the exported student does not load into {what}: missing '
            f'keys {missing}, unexpected keys '
            f'{sorted(result.unexpected_keys)}')


def export_student(checkpoint, out, config=None, student_config=None,
                   overwrite=False):
    """Write the student of ``checkpoint`` to ``out``; return its meta.

    Args:
        checkpoint (str): a training checkpoint.
        out (str): the file to write.
        config (str, optional): the training config; by default the one
            saved in the checkpoint (``meta.cfg``).
        student_config (str, optional): the stock config of the student;
            the exported weights must load strictly into its model.
        overwrite (bool): replace ``out`` if it exists.
    """
    if osp.exists(out) and not overwrite:
        raise FileExistsError(f'{out!r} exists; pass --overwrite to replace '
                              f'it')
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    if config is not None:
        cfg = load_config(config)
    elif isinstance(ckpt.get('meta', {}).get('cfg'), str):
        cfg = Config.fromstring(ckpt['meta']['cfg'], '.py')
    else:
        raise ConfigError(
            f'{checkpoint!r} holds no training config (meta.cfg); pass the '
            f'config it was trained with as --config')
    student = build_student(cfg)
    state_dict = ckpt.get('state_dict', ckpt)
    state = student_state_dict(state_dict, student)
    if student_config is None:
        dropped = [k for k in student.state_dict()
                   if k.startswith(tuple(training_only_prefixes(student)))]
        check_loads(student, state, 'the student of the training config',
                    allowed_missing=dropped)
    else:
        check_loads(build_student(load_config(student_config)), state,
                    f'the model of {student_config!r}')
    meta = {k: v for k, v in ckpt.get('meta', {}).items()
            if k in KEPT_META and is_plain(v)}
    meta['exported_from'] = osp.abspath(checkpoint)
    torch.save(dict(meta=meta, state_dict=state), out)
    return meta
