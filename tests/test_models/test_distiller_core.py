"""The distiller's core: what each loss receives (values, order, levels,
labels), taps that see every call of a shared module, the loss contract,
the teacher skipped when unused, and the teacher's own preprocessing."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from builders import (build_distiller, classifier, cls_batch, det_batch,
                      loss_of, retinanet)
from mmkd_ext.models.distillers import DistillerConfigError
from mmkd_ext.models.distillers.teacher_inputs import \
    TeacherPreprocessorError
from mmkd_ext.models.losses.utils import DistillInputError
from references import kd_reference as kd
from references import nkd_reference

TAU = 4.0


def cls_distiller(**kwargs):
    cfg = dict(student=classifier(8), teacher=classifier(16),
               distill_losses=dict(
                   kd=dict(type='KDLoss', temperature=TAU,
                           student_tap='head.fc', teacher_tap='head.fc'),
                   nkd=dict(type='NKDLoss', student_tap='head.fc',
                            teacher_tap='head.fc')))
    cfg.update(kwargs)
    return build_distiller('ClassificationDistiller', 'mmpretrain', **cfg)


# -- wiring: the values each loss receives ------------------------------------
def test_logit_losses_get_student_then_teacher_and_the_labels():
    model = cls_distiller()
    model.train()
    data = model.data_preprocessor(cls_batch(seed=1), training=True)
    losses = model(**data, mode='loss')
    with torch.no_grad():
        student = model.student(data['inputs'], mode='tensor')
        teacher = model.teacher(data['inputs'], mode='tensor')
    labels = torch.arange(4) % 4  # what cls_batch packed
    assert losses['loss_kd'].item() == pytest.approx(
        kd(student, teacher).item(), rel=1e-5)
    assert losses['loss_nkd'].item() == pytest.approx(
        nkd_reference(student, teacher, labels, 1.0, 1.5).item(), rel=1e-5)
    # the swapped call gives another value: the check above can fail
    assert kd(teacher, student).item() != pytest.approx(
        kd(student, teacher).item(), rel=1e-2)


def test_feature_loss_gets_each_fpn_level_in_order():
    losses = dict(feat=dict(type='FeatureMSELoss', student_tap='neck',
                            teacher_tap='neck'))
    model = build_distiller('DetectionDistiller', 'mmdet',
                            student=retinanet(32), teacher=retinanet(32),
                            distill_losses=losses)
    data = model.data_preprocessor(det_batch(), training=True)
    with model.recorded_taps(data['inputs'], data['data_samples']):
        (student, teacher), kwargs = model.terms['feat'].arguments(
            model.tap_sources, data['data_samples'])
    assert kwargs == {}
    with torch.no_grad():
        expected_s = model.student.extract_feat(data['inputs'])
        expected_t = model.teacher.model.extract_feat(data['inputs'])
    assert len(student) == len(teacher) == 5
    for level in range(5):
        torch.testing.assert_close(student[level], expected_s[level])
        torch.testing.assert_close(teacher[level], expected_t[level])


# -- taps that see every call --------------------------------------------------
def shared_head_distiller(loss, io='output'):
    tap = dict(path='bbox_head.retina_cls', io=io)
    return build_distiller(
        'DetectionDistiller', 'mmdet', student=retinanet(16),
        teacher=retinanet(32),
        distill_losses=dict(logits=dict(loss, student_tap=tap,
                                        teacher_tap=tap)))


def test_shared_head_tap_gives_all_five_levels_to_a_levelwise_kd():
    model = shared_head_distiller(dict(
        type='LevelwiseLoss', num_levels=5,
        level_loss=dict(type='KDLoss', temperature=TAU)))
    model.train()
    data = model.data_preprocessor(det_batch(image=128), training=True)
    losses = model(**data, mode='loss')
    with torch.no_grad():
        student = model.student.bbox_head(
            model.student.extract_feat(data['inputs']))[0]
        teacher = model.teacher.model.bbox_head(
            model.teacher.model.extract_feat(data['inputs']))[0]
    assert [tuple(s.shape[2:]) for s in student] == [
        (16, 16), (8, 8), (4, 4), (2, 2), (1, 1)]
    expected = sum(kd(s, t) for s, t in zip(student, teacher))
    assert losses['loss_logits'].item() == pytest.approx(expected.item(),
                                                         rel=1e-5)


def test_single_value_loss_on_a_shared_head_names_tap_and_calls():
    model = shared_head_distiller(dict(type='KDLoss'))
    with pytest.raises(DistillInputError,
                       match=r"distill_losses\.logits: the student tap "
                       r"'bbox_head\.retina_cls' ran 5 times.*KDLoss takes "
                       r"one value.*num_levels=5"):
        loss_of(model, det_batch())


def test_tap_can_record_a_module_input():
    model = shared_head_distiller(dict(
        type='FeatureMSELoss', student_channels=16, teacher_channels=32,
        num_levels=5), io='input')
    data = model.data_preprocessor(det_batch(), training=True)
    with model.recorded_taps(data['inputs'], data['data_samples']):
        (student, teacher), _ = model.terms['logits'].arguments(
            model.tap_sources, data['data_samples'])
        outputs = model.student_taps.records
    assert [s.shape[1] for s in student] == [16] * 5
    assert [t.shape[1] for t in teacher] == [32] * 5
    with torch.no_grad():
        feats = model.student.extract_feat(data['inputs'])
        head = model.student.bbox_head
        for level, feat in enumerate(feats):
            cls_feat = feat
            for conv in head.cls_convs:
                cls_feat = conv(cls_feat)
            torch.testing.assert_close(student[level], cls_feat)
    assert not outputs  # cleared when the context ends


# -- the loss contract ---------------------------------------------------------
class FeaturesAndLogits(nn.Module):
    """A loss that reads two taps per model and the data samples."""
    takes_levels = False

    def forward(self, student_feat, teacher_feat, student_logits,
                teacher_logits, data_samples):
        labels = torch.cat([s.gt_label for s in data_samples])
        ce = F.cross_entropy(student_logits, labels)
        # the GAP neck returns a tuple (one map per backbone out_index)
        gap = (student_feat[0] - teacher_feat[0][:, :64]).square().mean()
        return dict(loss=gap + ce, ce=ce,
                    gap=(teacher_logits - student_logits).mean())


class NeedsMasks(nn.Module):

    def forward(self, student, teacher, masks):
        return (student - teacher).sum() * masks


class ReturnsNoLoss(nn.Module):

    def forward(self, student, teacher):
        return dict(value=(student - teacher).sum())


def test_extra_taps_and_data_samples_reach_the_loss():
    losses = dict(both=dict(
        type=FeaturesAndLogits, student_tap='neck', teacher_tap='neck',
        extra_taps=dict(
            student_logits=dict(model='student', path='head.fc'),
            teacher_logits=dict(model='teacher', path='head.fc'))))
    model = cls_distiller(distill_losses=losses)
    model.train()
    data = model.data_preprocessor(cls_batch(), training=True)
    out = model(**data, mode='loss')
    with torch.no_grad():
        logits = model.student(data['inputs'], mode='tensor')
        teacher = model.teacher(data['inputs'], mode='tensor')
    expected_ce = F.cross_entropy(logits, torch.arange(4) % 4)
    assert out['both.ce'].item() == pytest.approx(expected_ce.item(),
                                                  rel=1e-5)
    assert out['both.gap'].item() == pytest.approx(
        (teacher - logits).mean().item(), rel=1e-4, abs=1e-6)
    assert not out['both.ce'].requires_grad
    assert out['loss_both'].requires_grad


def test_a_loss_that_cannot_be_called_as_configured_is_named():
    losses = dict(masked=dict(type=NeedsMasks, student_tap='head.fc',
                              teacher_tap='head.fc'))
    with pytest.raises(DistillerConfigError,
                       match=r"distill_losses\.masked: NeedsMasks\.forward"
                       r".*cannot be called.*masks"):
        cls_distiller(distill_losses=losses)
    losses['masked']['extra_taps'] = dict(
        masks=dict(model='student', path='head.fc'),
        other=dict(model='teacher', path='head.fc'))
    with pytest.raises(DistillerConfigError,
                       match=r"distill_losses\.masked: .*other"):
        cls_distiller(distill_losses=losses)


def test_extra_tap_without_model_is_named():
    losses = dict(masked=dict(type=NeedsMasks, student_tap='head.fc',
                              teacher_tap='head.fc',
                              extra_taps=dict(masks=dict(path='head.fc'))))
    with pytest.raises(DistillerConfigError,
                       match=r"distill_losses\.masked\.extra_taps\.masks: "
                       r"give model='student' or 'teacher'"):
        cls_distiller(distill_losses=losses)


def test_dict_without_loss_is_named():
    losses = dict(odd=dict(type=ReturnsNoLoss, student_tap='head.fc',
                           teacher_tap='head.fc'))
    with pytest.raises(DistillerConfigError,
                       match=r"distill_losses\.odd: ReturnsNoLoss returned "
                       r"a dict without 'loss'"):
        loss_of(cls_distiller(distill_losses=losses), cls_batch())


# -- the teacher is skipped when every weight is 0 ----------------------------
def test_teacher_does_not_run_when_every_weight_is_zero():
    model = cls_distiller()
    calls = []
    model.teacher.model.register_forward_pre_hook(lambda *args: calls.append(1))
    model.terms['kd'].scale = model.terms['nkd'].scale = 0.0
    losses = loss_of(model, cls_batch())
    assert not calls
    assert losses['loss_kd'].item() == losses['loss_nkd'].item() == 0
    model.terms['nkd'].scale = 0.5
    half = loss_of(model, cls_batch())
    model.terms['nkd'].scale = 1.0
    full = loss_of(model, cls_batch())
    assert calls and half['loss_kd'].item() == 0
    assert half['loss_nkd'].item() == pytest.approx(
        0.5 * full['loss_nkd'].item(), rel=1e-5)


# -- the teacher's own preprocessing -------------------------------------------
STUDENT_PP = dict(type='ClsDataPreprocessor', mean=[123.675, 116.28, 103.53],
                  std=[58.395, 57.12, 57.375], to_rgb=True)
TEACHER_PP = dict(type='ClsDataPreprocessor', mean=[127.5] * 3,
                  std=[127.5] * 3, to_rgb=False)


def test_teacher_with_other_normalisation_gets_its_own_inputs():
    student = dict(classifier(8), data_preprocessor=STUDENT_PP)
    teacher = dict(classifier(16), data_preprocessor=TEACHER_PP)
    model = cls_distiller(student=student, teacher=teacher)
    raw = cls_batch()
    data = model.data_preprocessor(raw, training=True)
    with model.recorded_taps(data['inputs'], data['data_samples']):
        (_, teacher_logits), _ = model.terms['kd'].arguments(
            model.tap_sources, data['data_samples'])
    own = model.teacher.model.data_preprocessor(raw, training=False)['inputs']
    assert not torch.allclose(own, data['inputs'])
    with torch.no_grad():
        expected = model.teacher.model(own, mode='tensor')
    torch.testing.assert_close(teacher_logits, expected, rtol=1e-4,
                               atol=1e-4)


def test_teacher_pad_values_follow_its_preprocessor():
    pad = dict(type='DetDataPreprocessor', pad_size_divisor=32)
    student = retinanet(16, )
    student.data_preprocessor = dict(
        pad, mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True)
    teacher = retinanet(32)
    teacher.data_preprocessor = dict(pad, mean=[0, 0, 0], std=[255] * 3,
                                     bgr_to_rgb=False, pad_value=0)
    model = build_distiller(
        'DetectionDistiller', 'mmdet', student=student, teacher=teacher,
        distill_losses=dict(feat=dict(type='FeatureMSELoss',
                                      student_tap='neck', teacher_tap='neck',
                                      student_channels=16,
                                      teacher_channels=32, num_levels=5)))
    raw = det_batch()
    raw['inputs'][1] = raw['inputs'][1][:, :50, :40]  # padded to 64x64
    raw['data_samples'][1].set_metainfo(dict(img_shape=(50, 40)))
    data = model.data_preprocessor(raw, training=True)
    inputs = model.teacher.inputs(data['inputs'], data['data_samples'])
    own = model.teacher.model.data_preprocessor(raw, training=False)['inputs']
    torch.testing.assert_close(inputs, own, rtol=1e-4, atol=1e-4)


def test_teacher_with_other_padding_is_refused_naming_both():
    student = retinanet(16)
    teacher = retinanet(32)
    teacher.data_preprocessor = dict(teacher.data_preprocessor,
                                     pad_size_divisor=64)
    with pytest.raises(TeacherPreprocessorError,
                       match=r'teacher data_preprocessor .*'
                       r'pad_size_divisor=64.*student data_preprocessor.*'
                       r'pad_size_divisor=32'):
        build_distiller('DetectionDistiller', 'mmdet', student=student,
                        teacher=teacher, distill_losses=dict(feat=dict(
                            type='FeatureMSELoss', student_tap='neck',
                            teacher_tap='neck')))


def test_the_readme_loss_example_works_as_documented():
    from conftest import ROOT
    text = open(f'{ROOT}/README.md').read()
    code = next(block.split('```')[0]
                for block in text.split('```python\n')[1:]
                if 'class AttentionTransferLoss' in block)
    namespace = {}
    # the class, without registering it into the real registry
    exec(code.replace('@MODELS.register_module()\n', ''), namespace)
    losses = dict(at=dict(type=namespace['AttentionTransferLoss'],
                          student_tap='backbone.layer3',
                          teacher_tap='backbone.layer3'))
    model = cls_distiller(distill_losses=losses)
    model.train()
    data = model.data_preprocessor(cls_batch(), training=True)
    out = model(**data, mode='loss')
    assert out['at.images'].item() == 4 and out['loss_at'].requires_grad
    with model.recorded_taps(data['inputs'], data['data_samples']):
        (s, t), kwargs = model.terms['at'].arguments(
            model.tap_sources, data['data_samples'])
    assert s.shape[1] == 32 and t.shape[1] == 64
    assert kwargs['data_samples'] is data['data_samples']
