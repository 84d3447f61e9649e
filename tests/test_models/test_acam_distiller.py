"""ACAM-KD inside a DetectionDistiller on tiny RetinaNets (unit level): the
loss parts reach the log without entering the total, the ACAM modules
train, and bad inputs give messages that name the key and level."""
import copy

import pytest
import torch
from mmengine.optim import OptimWrapper

import builders
from builders import build_distiller, det_batch, retinanet
from mmkd_ext.models.distillers import DistillerConfigError
from mmkd_ext.models.losses.utils import DistillInputError

PARTS = ('channel', 'spatial', 'div', 'coverage', 'channel_coverage',
         'entropy')


def acam(student_channels=16, num_masks=2, **kwargs):
    return dict(acam=dict(
        type='LevelwiseLoss', num_levels=5,
        level_loss=dict(type='ACAMLoss', student_channels=student_channels,
                        teacher_channels=32, num_masks=num_masks),
        student_tap='neck', teacher_tap='neck', **kwargs))


def build(student=None, teacher=None, distill_losses=None, **kwargs):
    model = build_distiller(
        'DetectionDistiller', 'mmdet', student=student or retinanet(16),
        teacher=teacher or retinanet(32),
        distill_losses=distill_losses or acam(), **kwargs)
    model.init_weights()
    return model


def loss_of(model):
    return builders.loss_of(model, det_batch())


@pytest.fixture(scope='module')
def distiller():
    return build()


def test_parts_are_logged_but_not_summed(distiller):
    losses = loss_of(distiller)
    assert {f'acam.{p}' for p in PARTS} <= set(losses)
    assert all(not v.requires_grad for k, v in losses.items()
               if k.startswith('acam.'))
    # alpha = lambda_div = 1: the parts (means over the 5 levels) add up
    # to the loss
    assert losses['loss_acam'].item() == pytest.approx(
        5 * sum(losses[f'acam.{p}'] for p in ('channel', 'spatial', 'div'))
        .item(), rel=1e-5)
    total, log_vars = distiller.parse_losses(losses)
    summed = sum(log_vars[k] for k in log_vars if k.startswith('loss_'))
    assert total.item() == pytest.approx(summed.item(), rel=1e-6)
    assert 0 < log_vars['acam.coverage'] < 1


def test_one_step_trains_student_and_acam_modules(distiller):
    model = copy.deepcopy(distiller)
    names = dict(model.named_parameters())
    assert 'distill_losses.acam.levels.4.masks.spatial_tokens' in names
    assert not any(n.startswith('teacher.') for n in names)
    before = {n: p.detach().clone() for n, p in names.items()}
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    model.train_step(det_batch(), optim)
    for prefix in ('student.neck', 'distill_losses.acam.levels.0.align',
                   'distill_losses.acam.levels.0.fusion.query',
                   'distill_losses.acam.levels.0.masks'):
        assert any(not torch.equal(p, before[n])
                   for n, p in names.items() if n.startswith(prefix)), prefix
    # auxiliary modules never go into the exported student
    assert not any(k.startswith('teacher.') for k in model.state_dict())


def test_fpn_level_count_mismatch():
    model = build(teacher=retinanet(32, num_outs=4))
    with pytest.raises(DistillInputError,
                       match=r'distill_losses\.acam \(neck -> neck\): the '
                       r'student tap has 5 feature levels and the teacher '
                       r'tap 4'):
        loss_of(model)


def test_spatial_size_mismatch_names_the_level():
    # the teacher's FPN starts one stage earlier: P2..P6 against P3..P7
    model = build(teacher=retinanet(32, start_level=0))
    with pytest.raises(DistillInputError,
                       match=r'distill_losses\.acam .*level 0: student '
                       r'feature map is \(8, 8\) and teacher feature map '
                       r'\(16, 16\).*resize_student=True'):
        loss_of(model)
    resized = build(teacher=retinanet(32, start_level=0),
                    distill_losses=acam(resize_student=True))
    data = resized.data_preprocessor(det_batch(), True)
    with resized.recorded_taps(data['inputs'], data['data_samples']):
        (student, teacher), _ = resized.terms['acam'].arguments(
            resized.tap_sources, data['data_samples'])
    pairs = resized.distill_losses.acam.level_inputs(student, teacher)
    assert student[0].shape[2:] != teacher[0].shape[2:]
    assert all(s.shape[2:] == t.shape[2:] for s, t in pairs)
    assert 'loss_acam' in loss_of(resized)


def test_num_masks_below_one():
    with pytest.raises(ValueError, match='num_masks must be an int >= 1, '
                       'got 0'):
        build(distill_losses=acam(num_masks=0))


def test_student_channels_that_do_not_match():
    with pytest.raises(DistillInputError,
                       match=r'distill_losses\.acam .*16/32 channels, but '
                       r'student_channels/teacher_channels are 8/32'):
        loss_of(build(distill_losses=acam(student_channels=8)))


def test_teacher_checkpoint_of_another_model(tmp_path):
    ckpt = tmp_path / 'student.pth'
    torch.save({'state_dict': build().student.state_dict()}, ckpt)
    with pytest.raises(DistillerConfigError,
                       match=r"teacher_ckpt: '.*student.pth' does not match "
                       r"the teacher config \(RetinaNet\):.*size mismatch "
                       r"for neck"):
        build(teacher_ckpt=str(ckpt))
    torch.save({'state_dict': {'backbone.other.weight': torch.zeros(1)}},
               ckpt)
    with pytest.raises(DistillerConfigError,
                       match=r'does not match.*unexpected key.*'
                       r'backbone\.other\.weight.*missing keys'):
        build(teacher_ckpt=str(ckpt))


def test_loss_name_containing_loss_is_refused_when_parts_are_logged():
    losses = {'acam_loss': acam()['acam']}
    with pytest.raises(DistillerConfigError,
                       match=r"distill_losses\.acam_loss: the name contains "
                       r"'loss'"):
        loss_of(build(distill_losses=losses))
