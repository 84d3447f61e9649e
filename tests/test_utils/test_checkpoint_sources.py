"""Every checkpoint source loads weights-only: URLs served by a local
http.server (load_from / resume, teacher_ckpt), numpy-1 checkpoints, and the
distiller's teacher_ckpt accepting what load_from accepts."""
import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.runner import load_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

import mmkd_ext  # noqa: F401 (installs the safe loaders)
from builders import build_distiller, classifier
from conftest import write_malicious
from mmkd_ext.models.distillers import DistillerConfigError
from mmkd_ext.utils.checkpoint import TORCH_LOAD, UnsafeCheckpointError


def test_malicious_url_is_refused_and_its_payload_never_runs(served,
                                                             tmp_path):
    folder, url = served
    marker = write_malicious(folder, tmp_path)
    for load in (lambda u: _load_checkpoint(u, 'cpu'),  # resume
                 lambda u: load_checkpoint(nn.Linear(2, 2), u)):  # load_from
        with pytest.raises(UnsafeCheckpointError) as err:
            load(f'{url}/bad.pth')
        assert "'builtins.exec'" in str(err.value)
        assert f'{url}/bad.pth' in str(err.value)
        assert not marker.exists()


def test_benign_url_loads_into_the_torch_hub_cache(served, tmp_path):
    folder, url = served
    model = nn.Linear(2, 3)
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(epoch=3, stats=np.arange(3.0))),
               folder / 'good.pth')
    other = nn.Linear(2, 3)
    ckpt = load_checkpoint(other, f'{url}/good.pth')
    assert torch.equal(other.weight, model.weight)
    assert ckpt['meta']['epoch'] == 3
    assert np.array_equal(ckpt['meta']['stats'], np.arange(3.0))
    cached = tmp_path / 'torch_home' / 'hub' / 'checkpoints' / 'good.pth'
    assert cached.is_file()


def test_loaders_are_wrapped_and_torch_load_left_alone():
    loader = CheckpointLoader._get_checkpoint_loader('https://x/y.pth')
    assert getattr(loader, 'mmkd_safe', False)
    assert torch.load is TORCH_LOAD


def test_scheme_registered_later_is_safe(tmp_path):
    path = tmp_path / 'bad.pth'
    marker = write_malicious(tmp_path, tmp_path, 'bad.pth')

    def load_from_mine(filename, map_location=None):
        # a careless loader that asks for full unpickling
        return torch.load(filename[len('mine://'):], map_location,
                          weights_only=False)

    CheckpointLoader.register_scheme('mine://', load_from_mine)
    try:
        with pytest.raises(UnsafeCheckpointError, match="'builtins.exec'"):
            CheckpointLoader.load_checkpoint(f'mine://{path}', 'cpu')
    finally:
        del CheckpointLoader._schemes['mine://']
    assert not marker.exists()


@pytest.mark.parametrize('module', ['numpy.core.', 'numpy._core.'])
def test_numpy1_and_numpy2_names_load_through_the_allow_list(tmp_path,
                                                             module):
    # numpy 1 pickles its reconstructors as numpy.core.*, numpy 2 as
    # numpy._core.*; whichever numpy runs, both load. torch's legacy format
    # is protocol-2 pickle, whose GLOBAL opcodes are newline-terminated
    # text, so the written names can be swapped for the other numpy's.
    path = tmp_path / 'numpy_names.pth'
    torch.save(dict(meta=dict(stats=np.array([1.5, 2.5]),
                              best=np.float32(0.5))), path,
               _use_new_zipfile_serialization=False)
    raw = path.read_bytes()
    written = next(m for m in (b'numpy._core.multiarray\n',
                               b'numpy.core.multiarray\n') if m in raw)
    path.write_bytes(raw.replace(written,
                                 module.encode() + b'multiarray\n'))
    ckpt = CheckpointLoader.load_checkpoint(str(path), 'cpu')
    assert np.array_equal(ckpt['meta']['stats'], [1.5, 2.5])
    assert ckpt['meta']['best'] == np.float32(0.5)


# -- teacher_ckpt ------------------------------------------------------------
def distiller(teacher_ckpt):
    return build_distiller(
        'ClassificationDistiller', 'mmpretrain', student=classifier(8),
        teacher=classifier(8), teacher_ckpt=teacher_ckpt,
        distill_losses=dict(kd=dict(type='KDLoss', student_tap='head.fc',
                                    teacher_tap='head.fc')))


def test_teacher_ckpt_from_url(served):
    folder, url = served
    teacher = build_distiller(
        'ClassificationDistiller', 'mmpretrain', seed=3,
        student=classifier(8), teacher=classifier(8),
        distill_losses=dict(kd=dict(type='KDLoss', student_tap='head.fc',
                                    teacher_tap='head.fc'))).teacher.model
    torch.save(dict(state_dict=teacher.state_dict()), folder / 'teacher.pth')
    model = distiller(f'{url}/teacher.pth')
    model.init_weights()
    for key, value in teacher.state_dict().items():
        assert torch.equal(model.teacher.model.state_dict()[key], value), key


def test_malicious_teacher_ckpt_url_is_refused(served, tmp_path):
    folder, url = served
    marker = write_malicious(folder, tmp_path, 'teacher.pth')
    model = distiller(f'{url}/teacher.pth')  # building reads nothing
    with pytest.raises(UnsafeCheckpointError, match="'builtins.exec'"):
        model.init_weights()
    assert not marker.exists()


def test_unreachable_teacher_url_names_the_key(served):
    _, url = served
    model = distiller(f'{url}/missing.pth')
    with pytest.raises(DistillerConfigError,
                       match=r"teacher_ckpt: 'http://127.*missing.pth' cannot"):
        model.init_weights()


def test_missing_local_teacher_ckpt_fails_when_training_starts(tmp_path):
    model = distiller(str(tmp_path / 'gone.pth'))
    with pytest.raises(FileNotFoundError, match='teacher_ckpt.*gone.pth'):
        model.init_weights()
