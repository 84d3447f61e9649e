"""Distillers end to end through the tools: train, resume, test, export the
student and load it with the stock student config without mmkd_ext; a
2-process gloo run; AMP's config path."""
import json
import os.path as osp
import subprocess
import sys

import pytest

from conftest import ROOT, config_path, run_tool, run_two_process_train
from mmkd_ext.datasets.tiny_data import make_tiny_data
from mmkd_ext.utils.work_dir import (last_checkpoint, latest_test_metrics,
                                     train_log)

pytestmark = pytest.mark.slow
HELPERS = osp.join(ROOT, 'tests', 'helpers')

DISTILL_TEMPLATE = """
_base_ = [{student!r}]
student = _base_.model
teacher = _base_.model
model = dict(
    _delete_=True,
    type='mmkd_ext.{distiller}',
    student=student,
    teacher=teacher,
    teacher_ckpt={teacher_ckpt!r},
    distill_losses={losses})
"""


def write_distill_config(tmp_path, name, student, distiller, losses,
                         teacher_ckpt=None, student_changes=''):
    path = tmp_path / f'{name}.py'
    text = DISTILL_TEMPLATE.format(
        student=student, distiller=distiller, losses=losses,
        teacher_ckpt=teacher_ckpt)
    path.write_text(text.replace('teacher = _base_.model',
                                 'teacher = _base_.model\n' +
                                 student_changes))
    return str(path)


def stock_test(config, checkpoint, work_dir, cwd):
    proc = subprocess.run(
        [sys.executable, osp.join(HELPERS, 'stock_eval.py'), config,
         checkpoint, work_dir], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope='module')
def imagenet_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp('cls')
    make_tiny_data('imagenet', str(root / 'data' / 'tiny_imagenet'))
    return root


@pytest.fixture(scope='module')
def trained_teacher(imagenet_dir):
    work_dir = imagenet_dir / 'teacher'
    run_tool('train.py', config_path('smoke', 'resnet18_tiny-imagenet.py'),
             '--work-dir', work_dir, cwd=imagenet_dir)
    return last_checkpoint(work_dir)


NKD_ON_LOGITS = ("dict(nkd=dict(type='NKDLoss', student_tap='head.fc', "
                 "teacher_tap='head.fc'))")
NARROW_STUDENT = ("student = dict(student, backbone=dict(student.backbone, "
                  "base_channels=16, stem_channels=16), "
                  "head=dict(student.head, in_channels=128))")


def test_classification_distill_resume_test_export(imagenet_dir,
                                                   trained_teacher):
    cwd = imagenet_dir
    config = write_distill_config(
        cwd, 'nkd_cls', config_path('smoke', 'resnet18_tiny-imagenet.py'),
        'ClassificationDistiller', NKD_ON_LOGITS, trained_teacher,
        NARROW_STUDENT)
    # uninterrupted: 3 epochs
    straight = cwd / 'straight'
    run_tool('train.py', config, '--work-dir', straight, cwd=cwd)
    # stopped after epoch 2, then resumed
    resumed = cwd / 'resumed'
    run_tool('train.py', config, '--work-dir', resumed, '--cfg-options',
             'train_cfg.max_epochs=2', cwd=cwd)
    run_tool('train.py', config, '--work-dir', resumed, '--resume', cwd=cwd)
    first_after_resume = train_log(resumed)[0]
    same_iter = [r for r in train_log(straight)
                 if r.get('iter') == first_after_resume['iter']][0]
    for key in ('loss', 'loss_nkd'):
        assert first_after_resume[key] == pytest.approx(same_iter[key],
                                                        rel=1e-4), key

    ckpt = last_checkpoint(straight)
    run_tool('test.py', config, ckpt, '--work-dir', straight, cwd=cwd)
    distilled = latest_test_metrics(straight)['accuracy/top1']
    assert distilled > 50  # 4 classes, chance 25

    exported = cwd / 'student.pth'
    run_tool('export_student.py', ckpt, exported, cwd=cwd)
    student_config = cwd / 'student_cfg.py'
    student_config.write_text(
        f"_base_ = [{config_path('smoke', 'resnet18_tiny-imagenet.py')!r}]\n"
        "model = dict(backbone=dict(base_channels=16, stem_channels=16), "
        "head=dict(in_channels=128))\n")
    metrics = stock_test(str(student_config), str(exported),
                         str(cwd / 'stock'), cwd)
    assert metrics['accuracy/top1'] == pytest.approx(distilled)


def test_export_refuses_to_overwrite(tmp_path):
    target = tmp_path / 'out.pth'
    target.write_text('precious')
    proc = run_tool('export_student.py', tmp_path / 'any.pth', target,
                    check=False)
    assert proc.returncode != 0 and 'exists' in proc.stderr
    assert target.read_text() == 'precious'


@pytest.mark.parametrize('kind, student, distiller, tap, metric', [
    ('coco', 'retinanet_r18_fpn_tiny-coco.py', 'DetectionDistiller', 'neck',
     'coco/bbox_mAP'),
    ('cityscapes', 'deeplabv3_r18-d8_tiny-cityscapes.py',
     'SegmentationDistiller', 'decode_head.conv_seg', 'mIoU'),
])
def test_dense_distill_and_export(tmp_path, kind, student, distiller, tap,
                                  metric):
    make_tiny_data(kind, str(tmp_path / 'data' / f'tiny_{kind}'))
    losses = (f"dict(feat=dict(type='FeatureMSELoss', student_tap={tap!r}, "
              f"teacher_tap={tap!r}))")
    config = write_distill_config(tmp_path, 'distill',
                                  config_path('smoke', student), distiller,
                                  losses)
    work_dir = tmp_path / 'wd'
    run_tool('train.py', config, '--work-dir', work_dir, cwd=tmp_path)
    records = [r for r in train_log(work_dir) if 'loss_feat' in r]
    assert records and all(r['loss_feat'] >= 0 for r in records)
    ckpt = last_checkpoint(work_dir)
    run_tool('test.py', config, ckpt, '--work-dir', work_dir, cwd=tmp_path)
    distilled = latest_test_metrics(work_dir)[metric]
    exported = tmp_path / 'student.pth'
    run_tool('export_student.py', ckpt, exported)
    metrics = stock_test(config_path('smoke', student), str(exported),
                         str(tmp_path / 'stock'), tmp_path)
    assert metrics[metric] == pytest.approx(distilled, abs=1e-6)


def test_two_process_gloo_ranks_agree(imagenet_dir):
    cwd = imagenet_dir
    config = write_distill_config(
        cwd, 'nkd_ddp', config_path('smoke', 'resnet18_tiny-imagenet.py'),
        'ClassificationDistiller', NKD_ON_LOGITS)
    with open(config, 'a') as f:
        f.write('custom_hooks = []\ntrain_cfg = dict(max_epochs=1)\n')
    ranks = run_two_process_train(config, cwd / 'ddp', cwd)
    assert all(r['world_size'] == 2 and r['iters'] > 0 for r in ranks)
    assert ranks[0]['checksum'] == pytest.approx(ranks[1]['checksum'],
                                                 rel=1e-6)
