"""Safe checkpoint loading: mmengine checkpoints load with weights_only=True,
anything else is refused with an error that names the type."""
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner, load_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader

import mmkd_ext  # noqa: F401 (installs the safe loaders)
from mmkd_ext.utils.checkpoint import (UnsafeCheckpointError,
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


def test_plain_torch_load_still_refuses_mmengine_checkpoint(
        runner_checkpoint):
    # The allow-list is not installed globally: outside mmengine's loaders
    # torch keeps its default.
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(runner_checkpoint)


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
    with pytest.raises(UnsafeCheckpointError):
        history_buffer_statistic(HistoryBuffer, 'update')
    with pytest.raises(UnsafeCheckpointError):
        history_buffer_statistic(torch, 'load')
