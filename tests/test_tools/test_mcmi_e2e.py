"""MCMI through the tools: the centroid pass, its all-reduce over 2 gloo
processes, resume, and the subset dataset on a real mmpretrain dataset."""
import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

from conftest import (config_path, run_tool, run_two_process_train,
                      train_until_epoch)
from tiny_data import make_tiny_data
from work_dir import latest_test_metrics, train_log

pytestmark = pytest.mark.slow

MCMI_CONFIG = """
_base_ = [{base!r}]
model = dict(head=dict(type='mmkd_ext.MCMIHead',
                       loss=dict(_delete_=True, type='mmkd_ext.MCMILoss')))
custom_hooks = [dict(type='mmkd_ext.MCMICentroidHook')]
train_cfg = dict(max_epochs={epochs})
"""
COMPUTED = 'MCMI centroids computed from 64 training samples'


@pytest.fixture
def mcmi_config(tmp_path):
    make_tiny_data('imagenet', str(tmp_path / 'data' / 'tiny_imagenet'))

    def write(epochs, extra=''):
        path = tmp_path / f'mcmi_{epochs}.py'
        path.write_text(MCMI_CONFIG.format(
            base=config_path('smoke', 'resnet18_tiny-imagenet.py'),
            epochs=epochs) + extra)
        return path

    return write


def centroids_in(checkpoint):
    state = CheckpointLoader.load_checkpoint(str(checkpoint), 'cpu')
    return state['state_dict']['head.cmi_centroids.value']


def test_resume_restores_centroids_without_a_new_pass(tmp_path, mcmi_config):
    config = mcmi_config(2)
    straight, resumed = tmp_path / 'straight', tmp_path / 'resumed'
    out = run_tool('train.py', config, '--work-dir', straight, cwd=tmp_path)
    assert (out.stdout + out.stderr).count(COMPUTED) == 1
    train_until_epoch(config, resumed, tmp_path, 1,
                      "[dict(type='mmkd_ext.MCMICentroidHook')]")
    out = run_tool('train.py', config, '--work-dir', resumed, '--resume',
                   cwd=tmp_path)
    assert COMPUTED not in out.stdout + out.stderr
    saved = centroids_in(resumed / 'epoch_1.pth')
    assert torch.allclose(saved.sum(1), torch.ones(4))
    # fixed for the whole fine-tune, and equal to the uninterrupted run's
    assert torch.equal(centroids_in(resumed / 'epoch_2.pth'), saved)
    assert torch.allclose(centroids_in(straight / 'epoch_2.pth'), saved)
    # so the first step after resuming matches the uninterrupted run
    after = train_log(resumed)[0]
    same = [r for r in train_log(straight) if r['iter'] == after['iter']][0]
    assert after['loss'] == pytest.approx(same['loss'], rel=1e-4)
    assert after['cmi'] == pytest.approx(same['cmi'], rel=1e-4)


def test_two_processes_all_reduce_the_centroids(tmp_path, mcmi_config):
    config = mcmi_config(1)
    single = tmp_path / 'single'
    run_tool('train.py', config, '--work-dir', single, cwd=tmp_path)
    ranks = run_two_process_train(config, tmp_path / 'ddp', tmp_path)
    # each rank saw half of the 64 images; the all-reduced centroids are
    # those of one process over all of them
    expected = centroids_in(single / 'epoch_1.pth')
    for rank in ranks:
        assert rank['world_size'] == 2
        assert torch.allclose(torch.tensor(rank['centroids']), expected,
                              atol=1e-5)


def test_training_without_the_hook_names_it(tmp_path, mcmi_config):
    config = mcmi_config(1, 'custom_hooks = []\n')
    proc = run_tool('train.py', config, '--work-dir', tmp_path / 'w',
                    cwd=tmp_path, check=False)
    assert proc.returncode != 0
    assert 'centroids were not computed before the first training step' \
        in proc.stdout + proc.stderr
    assert 'MCMICentroidHook' in proc.stdout + proc.stderr


def test_zero_shot_subset_trains_and_reports_every_class(tmp_path):
    make_tiny_data('imagenet', str(tmp_path / 'data' / 'tiny_imagenet'))
    config = tmp_path / 'zero_shot.py'
    config.write_text(
        f"_base_ = [{config_path('smoke', 'resnet18_tiny-imagenet.py')!r}]\n"
        "custom_imports = dict(imports=['mmkd_ext'])\n"
        "train_dataloader = dict(dataset=dict(_delete_=True, "
        "type='mmkd_ext.LabelSubsetDataset', drop_classes=[2], "
        "fraction=0.5, dataset=_base_.train_dataloader.dataset))\n"
        "test_evaluator = [dict(type='Accuracy', topk=(1, )), "
        "dict(type='SingleLabelMetric', items=['recall'], average=None)]\n"
        "train_cfg = dict(max_epochs=1)\n")
    work_dir = tmp_path / 'w'
    out = run_tool('train.py', config, '--work-dir', work_dir, cwd=tmp_path)
    # 3 classes x 16 images x 0.5 = 24 images: 2 iterations of 16
    assert 'Epoch(train) [1][2/2]' in out.stdout + out.stderr
    run_tool('test.py', config, work_dir / 'epoch_1.pth', '--work-dir',
             work_dir, cwd=tmp_path)
    per_class = latest_test_metrics(work_dir)['single-label/recall_classwise']
    assert len(per_class) == 4
