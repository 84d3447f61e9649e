"""PS-KD through the tools: memory and alpha survive resume, and in DDP
every rank's memory holds all ranks' predictions."""
import pytest

from conftest import (config_path, run_tool, run_two_process_train,
                      train_until_epoch)
from tiny_data import make_tiny_data
from work_dir import train_log

pytestmark = pytest.mark.slow

PSKD_CONFIG = """
_base_ = [{base!r}]
model = dict(head=dict(type='mmkd_ext.PSKDHead', alpha_T=0.8,
                       memory=dict(mode={mode!r}, topk=2)))
custom_hooks = [dict(type='mmkd_ext.PSKDHook')]
train_cfg = dict(max_epochs=4)
"""


@pytest.fixture
def pskd_config(tmp_path):
    make_tiny_data('imagenet', str(tmp_path / 'data' / 'tiny_imagenet'))

    def write(mode):
        path = tmp_path / f'pskd_{mode}.py'
        path.write_text(PSKD_CONFIG.format(
            base=config_path('smoke', 'resnet18_tiny-imagenet.py'),
            mode=mode))
        return path

    return write


def test_resume_restores_memory_and_alpha(tmp_path, pskd_config):
    config = pskd_config('topk')
    straight, resumed = tmp_path / 'straight', tmp_path / 'resumed'
    run_tool('train.py', config, '--work-dir', straight, cwd=tmp_path)
    # interrupted after epoch 2 of 4 (max_epochs, hence alpha, unchanged)
    train_until_epoch(config, resumed, tmp_path, 2,
                      "[dict(type='mmkd_ext.PSKDHook')]")
    run_tool('train.py', config, '--work-dir', resumed, '--resume',
             cwd=tmp_path)
    # the first step after resuming uses the restored memory (epoch 2's
    # predictions) and alpha; without them its targets, so its loss, differ
    after = train_log(resumed)[0]
    same = [r for r in train_log(straight) if r['iter'] == after['iter']][0]
    assert after['loss'] == pytest.approx(same['loss'], rel=1e-4)


def test_two_processes_share_all_predictions(tmp_path, pskd_config):
    config = pskd_config('fp16')
    with open(config, 'a') as f:
        f.write('train_cfg = dict(max_epochs=1)\n')
    ranks = run_two_process_train(config, tmp_path / 'ddp', tmp_path)
    # 4 classes x 16 images; each rank trained on half of them
    assert all(r['memory_rows'] == 64 for r in ranks)
    assert all(r['memory_rows_written'] == 64 for r in ranks)
    assert ranks[0]['memory_checksum'] == pytest.approx(
        ranks[1]['memory_checksum'], rel=1e-6)
