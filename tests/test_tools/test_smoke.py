"""End-to-end smoke runs through tools/train.py and tools/test.py, as a user
runs them: train a few iterations, save, resume, evaluate."""
import math
import os.path as osp

import pytest
import torch

from conftest import config_path, run_tool
from mmkd_ext.datasets.tiny_data import make_tiny_data
from mmkd_ext.utils.work_dir import (last_checkpoint, latest_test_metrics,
                                     train_log)

pytestmark = pytest.mark.slow


def train_resume_test(tmp_path, config, kind, first_stop, metric_keys):
    """Train until ``first_stop`` (cfg-options), resume to the config's end,
    test the last checkpoint; check the metric keys are finite."""
    make_tiny_data(kind, str(tmp_path / 'data' / f'tiny_{kind}'))
    work_dir = tmp_path / 'work_dir'
    run_tool('train.py', config, '--work-dir', work_dir, '--cfg-options',
             *first_stop, cwd=tmp_path)
    first = last_checkpoint(work_dir)
    resumed = run_tool('train.py', config, '--work-dir', work_dir,
                       '--resume', cwd=tmp_path)
    assert f'Load checkpoint from {first}' in resumed.stdout + resumed.stderr
    final = last_checkpoint(work_dir)
    assert final != first and osp.isfile(final)
    preds = tmp_path / 'preds.pkl'
    run_tool('test.py', config, final, '--work-dir', work_dir, '--out',
             preds, cwd=tmp_path)
    assert preds.stat().st_size > 0
    metrics = latest_test_metrics(work_dir)
    for key in metric_keys:
        assert key in metrics, f'{key} missing from {sorted(metrics)}'
        assert math.isfinite(metrics[key]), (key, metrics[key])
    return work_dir, metrics


def test_mmpretrain_resnet18_tiny_imagenet(tmp_path):
    config = config_path('smoke', 'resnet18_tiny-imagenet.py')
    work_dir, metrics = train_resume_test(
        tmp_path, config, 'imagenet', ['train_cfg.max_epochs=2'],
        ['accuracy/top1'])
    # 4 classes: chance is 25 %
    assert metrics['accuracy/top1'] > 50

    # Resuming gives the same training as not stopping: same last loss and
    # the same final weights.
    straight = tmp_path / 'straight'
    run_tool('train.py', config, '--work-dir', straight, cwd=tmp_path)
    assert train_log(straight)[-1]['loss'] == pytest.approx(
        train_log(work_dir)[-1]['loss'], rel=1e-4)
    weights = [
        torch.load(last_checkpoint(d), weights_only=False)['state_dict']
        for d in (straight, work_dir)
    ]
    for key, value in weights[0].items():
        assert torch.allclose(value.float(), weights[1][key].float(),
                              atol=1e-5), key


def test_mmdet_retinanet_tiny_coco(tmp_path):
    train_resume_test(
        tmp_path, config_path('smoke', 'retinanet_r18_fpn_tiny-coco.py'),
        'coco', ['train_cfg.max_epochs=1'],
        ['coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_l'])


def test_mmseg_deeplabv3_tiny_cityscapes(tmp_path):
    train_resume_test(
        tmp_path,
        config_path('smoke', 'deeplabv3_r18-d8_tiny-cityscapes.py'),
        'cityscapes', ['train_cfg.max_iters=2'], ['mIoU', 'aAcc', 'mAcc'])
