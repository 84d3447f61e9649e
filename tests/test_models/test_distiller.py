"""ClassificationDistiller on tiny mmpretrain ResNets (unit level)."""
import copy

import pytest
import torch
from mmengine.optim import OptimWrapper

from builders import (build_distiller, classifier, cls_batch, det_batch,
                      loss_of, retinanet)
from mmkd_ext.models.distillers import DistillerConfigError, TapError
from mmkd_ext.models.losses.utils import DistillInputError

LOGIT_LOSSES = dict(
    kd=dict(type='KDLoss', student_tap='head.fc', teacher_tap='head.fc'),
    nkd=dict(type='NKDLoss', student_tap='head.fc', teacher_tap='head.fc'))


def build(**kwargs):
    cfg = dict(student=classifier(8), teacher=classifier(16),
               distill_losses=LOGIT_LOSSES)
    cfg.update(kwargs)
    return build_distiller('ClassificationDistiller', 'mmpretrain', **cfg)


@pytest.fixture(scope='module')
def distiller():
    torch.manual_seed(0)
    return build()


def test_loss_keys_and_gradients(distiller):
    losses = loss_of(distiller, cls_batch())
    assert set(losses) == {'loss', 'loss_kd', 'loss_nkd'}
    # the values themselves: tests/test_models/test_distiller_core.py
    distiller.zero_grad()
    sum(losses.values()).backward()
    assert distiller.student.head.fc.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in distiller.teacher.parameters())
    assert not distiller.student_taps.records  # cleared every step


def test_teacher_frozen_eval_and_out_of_optimizer(distiller):
    distiller.train()
    assert distiller.student.training and not distiller.teacher.training
    assert not any(m.training for m in distiller.teacher.modules())
    names = [n for n, _ in distiller.named_parameters()]
    assert names and not any(n.startswith('teacher.') for n in names)
    optim = torch.optim.SGD(distiller.parameters(), lr=0.1)
    teacher_ids = {id(p) for p in distiller.teacher.parameters()}
    assert not teacher_ids & {id(p) for g in optim.param_groups
                              for p in g['params']}


def test_teacher_is_not_in_state_dict_and_state_reloads(distiller):
    state = distiller.state_dict()
    assert state and not any(k.startswith('teacher.') for k in state)
    other = build()
    teacher_before = copy.deepcopy(other.teacher.model.state_dict())
    other.load_state_dict(state, strict=True)
    for key, value in other.student.state_dict().items():
        assert torch.equal(value, distiller.student.state_dict()[key])
    for key, value in other.teacher.model.state_dict().items():
        assert torch.equal(value, teacher_before[key])


def test_one_step_trains_student_only(distiller):
    model = build()
    teacher_before = copy.deepcopy(model.teacher.model.state_dict())
    student_before = copy.deepcopy(model.student.state_dict())
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    model.train()
    log = model.train_step(cls_batch(), optim)
    assert {'loss', 'loss_kd', 'loss_nkd'} <= set(log)
    for key, value in model.teacher.model.state_dict().items():
        assert torch.equal(value, teacher_before[key]), key  # BN stats too
    assert not torch.equal(model.student.state_dict()['head.fc.weight'],
                           student_before['head.fc.weight'])


def test_predict_and_tensor_delegate_to_student(distiller):
    distiller.eval()
    data = distiller.data_preprocessor(cls_batch(), training=False)
    ours = distiller(**data, mode='predict')
    theirs = distiller.student(**data, mode='predict')
    assert torch.allclose(torch.stack([s.pred_score for s in ours]),
                          torch.stack([s.pred_score for s in theirs]))
    assert torch.equal(distiller(data['inputs'], mode='tensor'),
                       distiller.student(data['inputs'], mode='tensor'))


def test_teacher_checkpoint_is_loaded_and_survives_init_weights(tmp_path):
    torch.manual_seed(1)
    teacher = build().teacher.model
    ckpt = tmp_path / 'teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), ckpt)
    model = build(teacher_ckpt=str(ckpt))
    model.init_weights()
    for key, value in teacher.state_dict().items():
        assert torch.equal(model.teacher.model.state_dict()[key], value), key


def test_teacher_from_config_path(tmp_path):
    cfg = tmp_path / 'teacher_cfg.py'
    cfg.write_text(f'model = {classifier(16)!r}\n')
    model = build(teacher=str(cfg))
    assert model.teacher.model.head.fc.in_features == 128


def test_teacher_from_scoped_config_path():
    model = build(
        teacher='mmpretrain::resnet/resnet18_8xb32_in1k.py',
        student=classifier(8, num_classes=1000))
    assert model.teacher.model.head.fc.out_features == 1000


def test_init_student_from_teacher_copies_matching_weights():
    student = classifier(16)
    model = build(student=student, init_student_from_teacher=['head'])
    model.init_weights()
    assert torch.equal(model.student.head.fc.weight,
                       model.teacher.model.head.fc.weight)


def test_init_student_from_teacher_mismatch_is_named():
    model = build(init_student_from_teacher=['head'])  # 64 vs 128 inputs
    with pytest.raises(DistillerConfigError,
                       match=r"'head.fc.weight' is \(4, 128\) in the teacher "
                       r"but \(4, 64\) in the student"):
        model.init_weights()
    with pytest.raises(DistillerConfigError, match="no weights under 'nek'"):
        build(init_student_from_teacher=['nek']).init_weights()


def test_deepcopy_keeps_taps_working(distiller):
    clone = copy.deepcopy(distiller)
    assert set(loss_of(clone, cls_batch())) == {'loss', 'loss_kd',
                                                 'loss_nkd'}
    del clone
    assert set(loss_of(distiller, cls_batch())) == {'loss', 'loss_kd',
                                                'loss_nkd'}


# -- bad input: each a clear message naming the key --------------------------
def test_missing_teacher_config(tmp_path):
    with pytest.raises(FileNotFoundError, match='teacher.*nope.py'):
        build(teacher=str(tmp_path / 'nope.py'))


def test_class_count_mismatch_names_the_loss():
    model = build(teacher=classifier(16, num_classes=7))
    with pytest.raises(DistillInputError,
                       match=r'distill_losses\.kd .*same classes'):
        loss_of(model, cls_batch())


def test_tap_path_not_found_lists_close_matches():
    losses = dict(kd=dict(type='KDLoss', student_tap='head.fcc',
                          teacher_tap='head.fc'))
    with pytest.raises(TapError, match=r"no module 'head.fcc'.*'head.fc'"):
        build(distill_losses=losses)


def test_in_place_modified_tap_is_detected():
    # bn1 of a BasicBlock is followed by ReLU(inplace=True)
    losses = dict(feat=dict(type='FeatureMSELoss',
                            student_tap='backbone.layer1.0.bn1',
                            teacher_tap='backbone.layer1.0.bn1'))
    model = build(student=classifier(16), distill_losses=losses)
    with pytest.raises(TapError, match='modified in place'):
        loss_of(model, cls_batch())


def test_feature_shapes_that_cannot_align():
    losses = dict(feat=dict(type='FeatureMSELoss', student_tap='neck',
                            teacher_tap='neck'))
    with pytest.raises(DistillInputError,
                       match=r'distill_losses\.feat .*student_channels'):
        loss_of(build(distill_losses=losses), cls_batch())


def test_label_loss_without_labels_names_the_key():
    # NKD needs image labels: detection samples have none
    nkd = dict(type='NKDLoss', student_tap='backbone.layer4',
               teacher_tap='backbone.layer4')
    model = build_distiller('DetectionDistiller', 'mmdet',
                            student=retinanet(16), teacher=retinanet(32),
                            distill_losses=dict(nkd=nkd))
    with pytest.raises(DistillInputError,
                       match=r'distill_losses\.nkd .*needs image labels '
                       r'\(gt_label\).*DetDataSample'):
        loss_of(model, det_batch())


def test_missing_tap_key():
    with pytest.raises(DistillerConfigError, match=r"kd: missing \['tea"):
        build(distill_losses=dict(kd=dict(type='KDLoss',
                                          student_tap='head.fc')))
