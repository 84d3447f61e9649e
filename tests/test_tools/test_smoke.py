"""End-to-end smoke runs through tools/train.py and tools/test.py, as a user
runs them: train with validation and ``save_best``, stop, resume, evaluate.
Resuming must give the very run that did not stop (same losses, same
weights; random flips, crops and dropout are left out for that, since
mmengine does not restore their random state), and the dumped predictions
must be those of every validation image. The checkpoints hold what the
libraries' metrics put into the message hub (mmseg's mIoU is a numpy
float32), and they resume through mmkd_ext's safe loading."""
import glob
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

import mmkd_ext  # noqa: F401 (safe checkpoint loading)

from conftest import config_path, run_tool
from tiny_data import make_tiny_data
from work_dir import last_checkpoint, latest_test_metrics, train_log

pytestmark = pytest.mark.slow


def train_resume_test(tmp_path, config, kind, first_stop, save_best,
                      changes=''):
    """Train until ``first_stop`` (cfg-options), validating every
    checkpoint and keeping the best by ``save_best`` (a metric), resume to
    the config's end, train the same config without stopping, and test the
    resumed run's last checkpoint with ``--out``. ``changes`` (config
    source text) removes what draws random numbers that a resume does not
    restore. Return (metrics, predictions, best score of the first run)."""
    make_tiny_data(kind, str(tmp_path / 'data' / f'tiny_{kind}'))
    derived = tmp_path / 'deterministic.py'
    derived.write_text(
        f'_base_ = [{config!r}]\n{changes}\n'
        f'train_cfg = dict(val_interval=_base_.default_hooks.checkpoint'
        f'.interval)\n'
        f'default_hooks = dict(checkpoint=dict(save_best={save_best!r}))\n')
    config = str(derived)
    work_dir = tmp_path / 'work_dir'
    run_tool('train.py', config, '--work-dir', work_dir, '--cfg-options',
             *first_stop, cwd=tmp_path)
    first = last_checkpoint(work_dir)
    best_score = CheckpointLoader.load_checkpoint(first, 'cpu')[
        'message_hub']['runtime_info']['best_score']
    assert glob.glob(str(work_dir / 'best_*.pth'))
    resumed = run_tool('train.py', config, '--work-dir', work_dir,
                       '--resume', cwd=tmp_path)
    assert f'Load checkpoint from {first}' in resumed.stdout + resumed.stderr
    final = last_checkpoint(work_dir)
    assert final != first and osp.isfile(final)

    straight = tmp_path / 'straight'
    run_tool('train.py', config, '--work-dir', straight, cwd=tmp_path)
    resumed_log, straight_log = train_log(work_dir), train_log(straight)
    assert resumed_log[-1]['iter'] == straight_log[-1]['iter']
    assert resumed_log[-1]['loss'] == pytest.approx(
        straight_log[-1]['loss'], rel=1e-4)
    weights = [torch.load(last_checkpoint(d), weights_only=False)
               ['state_dict'] for d in (straight, work_dir)]
    for key, value in weights[0].items():
        assert torch.allclose(value.float(), weights[1][key].float(),
                              atol=1e-5), key

    preds = tmp_path / 'preds.pkl'
    run_tool('test.py', config, final, '--work-dir', work_dir, '--out',
             preds, cwd=tmp_path)
    with open(preds, 'rb') as f:
        predictions = pickle.load(f)
    return latest_test_metrics(work_dir), predictions, best_score


def test_mmpretrain_resnet18_tiny_imagenet(tmp_path):
    metrics, preds, best = train_resume_test(
        tmp_path, config_path('smoke', 'resnet18_tiny-imagenet.py'),
        'imagenet', ['train_cfg.max_epochs=2'], 'accuracy/top1')
    assert 0 <= best <= 100
    assert len(preds) == 32  # 4 classes x 8 validation images
    labels = torch.tensor([int(p['gt_label']) for p in preds])
    scores = torch.stack([p['pred_score'] for p in preds])
    assert torch.allclose(scores.sum(1), torch.ones(32), atol=1e-5)
    top1 = 100 * (scores.argmax(1) == labels).float().mean()
    assert metrics['accuracy/top1'] == pytest.approx(float(top1))


def test_mmdet_retinanet_tiny_coco(tmp_path):
    metrics, preds, best = train_resume_test(
        tmp_path, config_path('smoke', 'retinanet_r18_fpn_tiny-coco.py'),
        'coco', ['train_cfg.max_epochs=1'], 'coco/bbox_mAP',
        "train_dataloader = dict(dataset=dict(pipeline=["
        "dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', "
        "with_bbox=True), dict(type='Resize', scale=(128, 128), "
        "keep_ratio=True), dict(type='PackDetInputs')]))")
    assert 0 <= best <= 1
    assert sorted(p['img_id'] for p in preds) == [1, 2, 3, 4]
    for pred in preds:
        boxes = pred['pred_instances']['bboxes']
        height, width = pred['ori_shape']
        assert len(boxes) > 0 and boxes.shape[1] == 4
        assert (boxes[:, 2:] >= boxes[:, :2]).all()
        assert boxes[:, 0::2].min() >= 0 and boxes[:, 0::2].max() <= width
        assert boxes[:, 1::2].min() >= 0 and boxes[:, 1::2].max() <= height


def test_mmseg_deeplabv3_tiny_cityscapes(tmp_path):
    metrics, preds, best = train_resume_test(
        tmp_path,
        config_path('smoke', 'deeplabv3_r18-d8_tiny-cityscapes.py'),
        'cityscapes', ['train_cfg.max_iters=2'], 'mIoU',
        "train_dataloader = dict(dataset=dict(pipeline=["
        "dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'), "
        "dict(type='Resize', scale=(128, 64), keep_ratio=True), "
        "dict(type='PackSegInputs')]))\n"
        "model = dict(decode_head=dict(dropout_ratio=0.0), "
        "auxiliary_head=dict(dropout_ratio=0.0))")
    # what mmseg's IoUMetric returns (float32 under numpy 2, float64 under
    # numpy 1), kept by CheckpointHook's save_best
    assert isinstance(best, np.floating)
    assert len(preds) == 4
    correct = total = 0
    for pred in preds:
        seg = pred['pred_sem_seg']['data']
        gt = pred['gt_sem_seg']['data']
        assert seg.shape == gt.shape == (1, *pred['ori_shape'])
        valid = gt != 255
        correct += int((seg[valid] == gt[valid]).sum())
        total += int(valid.sum())
    # aAcc is the share of labelled pixels predicted right
    assert metrics['aAcc'] == pytest.approx(100 * correct / total, abs=0.01)
