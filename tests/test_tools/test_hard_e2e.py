"""HARD through mmengine's Runner: the OptimWrapperDict is built from the
config, the augmentor and its optimizer survive resume, and the picture
hook writes grids."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner

from conftest import config_path, run_two_process_train
from mmkd_ext.utils.config import load_config
from tiny_data import make_tiny_data

pytestmark = pytest.mark.slow

HARD_CONFIG = """
_base_ = [{base!r}]
data_root = {data_root!r}
train_dataloader = dict(batch_size=16, dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
model = dict(
    _delete_=True,
    type='mmkd_ext.HARDDistiller',
    student=dict(
        type='ImageClassifier',
        backbone=dict(type='mmkd_ext.MLP', in_channels=3, input_size=32,
                      hidden_dims=(8, )),
        head=dict(type='LinearClsHead', num_classes=4, in_channels=8)),
    teacher=dict(
        type='ImageClassifier',
        backbone=dict(type='ResNet', depth=18, stem_channels=8,
                      base_channels=8),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=4, in_channels=64)),
    distill_losses=dict(kd=dict(type='KDLoss', student_tap='head.fc',
                                teacher_tap='head.fc')),
    # deterministic (sigma fixed at 0), so that two runs can agree exactly
    augmentor=dict(type='ComposeAugmentor', augmentors=[
        dict(type='LearnedColourAugmentor', init_std=0, learn_std=False),
        dict(type='LearnedAffineAugmentor', init_std=0, learn_std=False)]))
optim_wrapper = dict(
    _delete_=True,
    constructor='mmkd_ext.OptimWrapperDictConstructor',
    student=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9)),
    augmentor=dict(optimizer=dict(type='Adam', lr=0.01)))
train_cfg = dict(max_epochs=2, val_interval=100)
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=3))
custom_hooks = [dict(type='mmkd_ext.AugmentorVisualizationHook', interval=4,
                     num_images=3)]
"""


def run(config, work_dir, name, resume_from=None):
    cfg = load_config(str(config))
    cfg.work_dir, cfg.experiment_name = str(work_dir), name
    if resume_from:
        cfg.load_from, cfg.resume = str(resume_from), True
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def test_resume_restores_augmentor_and_its_optimizer(tmp_path):
    make_tiny_data('imagenet', str(tmp_path / 'data'))
    config = tmp_path / 'hard.py'
    config.write_text(HARD_CONFIG.format(
        base=config_path('smoke', 'resnet18_tiny-imagenet.py'),
        data_root=str(tmp_path / 'data')))
    straight = run(config, tmp_path / 'straight', 'straight')
    resumed = run(config, tmp_path / 'resumed', 'resumed',
                  resume_from=tmp_path / 'straight' / 'epoch_1.pth')
    assert resumed.iter == straight.iter == 8

    ckpt = torch.load(tmp_path / 'straight' / 'epoch_1.pth',
                      map_location='cpu', weights_only=False)
    assert set(ckpt['optimizer']) == {'student', 'augmentor'}
    keys = ckpt['state_dict']
    assert 'augmentor.augmentors.1.delta.mean' in keys
    assert not any(k.startswith('teacher.') for k in keys)

    # the augmentor learned (it moved from the identity) and resuming it
    # reproduces the uninterrupted run exactly
    mean = straight.model.augmentor.augmentors[1].delta.mean
    assert mean.abs().sum() > 0
    for a, b in zip(straight.model.augmentor.parameters(),
                    resumed.model.augmentor.parameters()):
        torch.testing.assert_close(a, b)
    for part in ('augmentor', 'student'):
        state_a = straight.optim_wrapper[part].state_dict()['state']
        state_b = resumed.optim_wrapper[part].state_dict()['state']
        assert state_a.keys() == state_b.keys() and state_a
        for key in state_a:
            for name, value in state_a[key].items():
                torch.testing.assert_close(state_b[key][name], value)

    # grids of 3 originals over their augmentations, at iterations 4 and 8
    pictures = sorted(glob.glob(osp.join(
        tmp_path, 'straight', '*', 'vis_data', 'vis_image', 'augmentor_*')))
    assert [osp.basename(p) for p in pictures] == [
        'augmentor_4.png', 'augmentor_8.png']
    import cv2
    grid = cv2.imread(pictures[0])
    assert grid.shape == (2 * 34 + 2, 3 * 34 + 2, 3)


@pytest.mark.parametrize('custom_hooks', [
    '[]',
    # every distillation weight 0 from the third iteration: the student
    # trains alone, the augmentor and the losses' parameters wait
    "[dict(type='mmkd_ext.DistillLossScheduleHook', stop_iter=2)]",
])
def test_two_processes_train_identical_students_and_augmentors(
        tmp_path, custom_hooks):
    """2 gloo processes, the HARD digits-style config's wrapper
    (MMSeparateDistributedDataParallel): each rank sees other images, yet
    both end with the same student and augmentor weights."""
    make_tiny_data('imagenet', str(tmp_path / 'data'))
    config = tmp_path / 'hard_ddp.py'
    text = HARD_CONFIG.format(
        base=config_path('smoke', 'resnet18_tiny-imagenet.py'),
        data_root=str(tmp_path / 'data'))
    # a learned, random augmentor this time
    text = text.replace(
        "dict(type='LearnedAffineAugmentor', init_std=0, learn_std=False)",
        "dict(type='LearnedAffineAugmentor', translation_only=True)")
    config.write_text(
        text + "model_wrapper_cfg = dict("
        "type='MMSeparateDistributedDataParallel')\n"
        "train_cfg = dict(max_epochs=1)\n"
        f"custom_hooks = {custom_hooks}\n")
    ranks = run_two_process_train(config, tmp_path / 'ddp', tmp_path)
    assert all(r['world_size'] == 2 and r['iters'] > 0 for r in ranks)
    assert ranks[0]['checksum'] == pytest.approx(ranks[1]['checksum'],
                                                 rel=1e-7)
    for a, b in zip(ranks[0]['augmentor'], ranks[1]['augmentor']):
        assert a == pytest.approx(b, rel=1e-6, abs=1e-9)
    # the augmentor moved from its initialisation (mean 0)
    assert any(abs(v) > 0 for v in ranks[0]['augmentor'][0])
