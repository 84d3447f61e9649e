"""Export the student of a distiller checkpoint (or a self-distilled model)
as a plain model checkpoint.

The result holds only the deployable student weights (keys without the
``student.`` prefix, training-only modules such as the USKD weak head left
out) and plain metadata, so the stock student config loads it with the task
library's own tools, with ``weights_only=True`` and without mmkd_ext.
"""
import os.path as osp

import torch
from mmengine.runner.checkpoint import CheckpointLoader

STUDENT_PREFIX = 'student.'
# Attribute names of training-only submodules inside a student.
TRAINING_ONLY = frozenset({'uskd_loss', 'memory', 'cmi_centroids'})
KEPT_META = ('epoch', 'iter', 'dataset_meta', 'seed', 'experiment_name',
             'time', 'mmengine_version')


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


def student_state_dict(state_dict):
    """Deployable student weights of a training state dict: the
    ``student.*`` entries of a distiller (prefix removed) or the whole state
    of a plain model, without training-only modules."""
    if any(k.startswith(STUDENT_PREFIX) for k in state_dict):
        state_dict = {k[len(STUDENT_PREFIX):]: v
                      for k, v in state_dict.items()
                      if k.startswith(STUDENT_PREFIX)}
    return {k: v for k, v in state_dict.items()
            if not TRAINING_ONLY & set(k.split('.'))}


def export_student(checkpoint, out, overwrite=False):
    """Write the student of ``checkpoint`` to ``out``; return its meta."""
    if osp.exists(out) and not overwrite:
        raise FileExistsError(f'{out!r} exists; pass --overwrite to replace '
                              f'it')
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = student_state_dict(ckpt.get('state_dict', ckpt))
    meta = {k: v for k, v in ckpt.get('meta', {}).items()
            if k in KEPT_META and is_plain(v)}
    meta['exported_from'] = osp.abspath(checkpoint)
    torch.save(dict(meta=meta, state_dict=state), out)
    return meta
