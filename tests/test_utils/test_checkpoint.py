"""Safe checkpoint loading: mmengine checkpoints load with weights_only=True,
anything else is refused with an error that names the type."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner, load_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader

import mmkd_ext  # noqa: F401 (installs the safe loaders)
from mmkd_ext.utils.checkpoint import (TORCH_LOAD, TRUSTED_ENV,
                                       UnsafeCheckpointError,
                                       trust_checkpoint)
from mmkd_ext.utils.restricted_pickle import (RefusedGlobal,
                                              history_buffer_statistic)


class ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.fc(inputs)
        return dict(loss=out.pow(2).mean()) if mode == 'loss' else out


class NotAllowed:
    """A type that no checkpoint should carry."""


class SneakyGetattr:
    """Pickles as ``getattr(HistoryBuffer, '__init__')``."""

    def __reduce__(self):
        return getattr, (HistoryBuffer, '__init__')


@pytest.fixture(scope='module')
def runner_checkpoint(tmp_path_factory):
    """A real checkpoint written by mmengine's Runner after one epoch."""
    work_dir = tmp_path_factory.mktemp('toy')
    runner = Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=[dict(inputs=torch.randn(2)) for _ in range(8)],
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=2,
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', milestones=[1]),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1)),
        randomness=dict(seed=0))
    runner.train()
    return osp.join(work_dir, 'epoch_1.pth')


def test_torch_load_is_restored_after_loading(runner_checkpoint,
                                            monkeypatch):
    # The allow-list applies only inside mmengine's loaders: torch.load and
    # torch's own switches are as they were before and after.
    monkeypatch.setenv('TORCH_FORCE_WEIGHTS_ONLY_LOAD', '1')
    CheckpointLoader.load_checkpoint(runner_checkpoint, 'cpu')
    assert torch.load is TORCH_LOAD
    assert os.environ['TORCH_FORCE_WEIGHTS_ONLY_LOAD'] == '1'


def test_mmengine_checkpoint_loads_with_history(runner_checkpoint):
    ckpt = CheckpointLoader.load_checkpoint(runner_checkpoint, 'cpu')
    assert set(ckpt) >= {'meta', 'state_dict', 'optimizer', 'message_hub',
                         'param_schedulers'}
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    # the statistic methods came back as real methods and work
    assert buffer.statistics('mean') == pytest.approx(
        buffer.data[0].mean())
    assert ckpt['meta']['epoch'] == 1


def test_resume_through_runner_load_checkpoint(runner_checkpoint):
    model = ToyModel()
    ckpt = load_checkpoint(model, runner_checkpoint, map_location='cpu')
    assert torch.equal(model.fc.weight, ckpt['state_dict']['fc.weight'])


@pytest.mark.parametrize('payload, type_name', [
    (NotAllowed(), 'NotAllowed'),
    (SneakyGetattr(), '__init__'),
])
def test_disallowed_type_is_named(tmp_path, payload, type_name):
    path = str(tmp_path / 'bad.pth')
    torch.save(dict(state_dict={}, meta=dict(extra=payload)), path)
    with pytest.raises(UnsafeCheckpointError) as err:
        CheckpointLoader.load_checkpoint(path, 'cpu')
    assert type_name in str(err.value) and 'bad.pth' in str(err.value)


def test_history_buffer_statistic_only_resolves_statistics():
    assert history_buffer_statistic(HistoryBuffer, 'mean') is \
        HistoryBuffer.mean
    with pytest.raises(RefusedGlobal):
        history_buffer_statistic(HistoryBuffer, 'update')
    with pytest.raises(RefusedGlobal):
        history_buffer_statistic(torch, 'load')


# -- numpy: every bool and numeric dtype, nothing else ----------------------
NUMERIC_DTYPES = ['bool', 'int8', 'int16', 'int32', 'int64', 'uint8',
                  'uint16', 'uint32', 'uint64', 'float16', 'float32',
                  'float64', 'longdouble', 'complex64', 'complex128']


@pytest.mark.parametrize('legacy_format', [False, True])
def test_numpy_values_of_every_numeric_family_load(tmp_path, legacy_format):
    # what mmseg's IoUMetric (float32), counters (int32, uint8) and flags
    # (bool) leave in a message hub, as scalars and as arrays
    values = {name: (np.array([0, 1, 3], dtype=name), np.dtype(name).type(1))
              for name in NUMERIC_DTYPES}
    path = tmp_path / 'numpy_values.pth'
    torch.save(dict(state_dict={}, meta=dict(values=values)), path,
               _use_new_zipfile_serialization=not legacy_format)
    loaded = CheckpointLoader.load_checkpoint(str(path), 'cpu')
    for name, (array, scalar) in values.items():
        array2, scalar2 = loaded['meta']['values'][name]
        assert array2.dtype == np.dtype(name) and scalar2.dtype == \
            np.dtype(name), name
        assert np.array_equal(array2, array) and scalar2 == scalar, name


@pytest.mark.parametrize('value, refused', [
    (np.array([{'a': 1}], dtype=object), "numpy.dtype('|O')"),
    (np.zeros(2, dtype=[('x', 'f4')]), 'numpy.dtype'),
    (np.array(['text']), "numpy.dtype('<U4')"),
    (np.datetime64('2026-01-01'), "numpy.dtype('<M8')"),
])
def test_other_numpy_dtypes_are_refused(tmp_path, value, refused):
    path = tmp_path / 'other.pth'
    torch.save(dict(meta=dict(value=value)), path)
    with pytest.raises(UnsafeCheckpointError) as err:
        CheckpointLoader.load_checkpoint(str(path), 'cpu')
    assert refused in str(err.value)


# -- a file the user trusts, named ------------------------------------------
def test_refusal_says_how_to_trust_the_file(tmp_path):
    path = tmp_path / 'custom.pth'
    torch.save(dict(meta=dict(extra=NotAllowed())), path)
    with pytest.raises(UnsafeCheckpointError) as err:
        CheckpointLoader.load_checkpoint(str(path), 'cpu')
    assert f'{TRUSTED_ENV}={path}' in str(err.value)
    assert 'trust_checkpoint' in str(err.value)


def test_trusted_file_named_in_the_environment_loads_in_full(
        tmp_path, monkeypatch):
    trusted, other = tmp_path / 'trusted.pth', tmp_path / 'other.pth'
    for path in (trusted, other):
        torch.save(dict(meta=dict(extra=NotAllowed())), path)
    # a relative spelling of the same file names it too
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(TRUSTED_ENV, 'trusted.pth,/nonexistent.pth')
    ckpt = CheckpointLoader.load_checkpoint(str(trusted), 'cpu')
    assert isinstance(ckpt['meta']['extra'], NotAllowed)
    with pytest.raises(UnsafeCheckpointError):
        CheckpointLoader.load_checkpoint(str(other), 'cpu')


def test_trust_checkpoint_names_one_file(tmp_path):
    trusted, other = tmp_path / 'trusted.pth', tmp_path / 'other.pth'
    for path in (trusted, other):
        torch.save(dict(meta=dict(extra=NotAllowed())), path)
    trust_checkpoint(trusted)
    ckpt = CheckpointLoader.load_checkpoint(str(trusted), 'cpu')
    assert isinstance(ckpt['meta']['extra'], NotAllowed)
    with pytest.raises(UnsafeCheckpointError):
        CheckpointLoader.load_checkpoint(str(other), 'cpu')
