"""The distiller core's parts: the teacher component (live, cached), the
terms (inactive terms are DDP-safe), taps that are never silently empty or
detached, and the teacher in no optimizer that users get."""
import pytest
import torch
import torch.nn as nn
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from builders import build_distiller, classifier, cls_batch, loss_of
from mmkd_ext.models.distillers import (CachedTeacher, DistillerConfigError,
                                        LiveTeacher, TapError)
from mmkd_ext.models.losses.utils import DistillInputError
from mmkd_ext.registry import MODELS

KD = dict(kd=dict(type='KDLoss', student_tap='head.fc',
                  teacher_tap='head.fc'))
# a loss with parameters: 1x1 align convs from 32 to 64 channels
ALIGNED = dict(feat=dict(type='FeatureMSELoss', student_channels=32 * 8,
                         teacher_channels=64 * 8, student_tap='neck',
                         teacher_tap='neck'))


def distiller(losses=KD, student=None, teacher=None, **kwargs):
    return build_distiller(
        'ClassificationDistiller', 'mmpretrain',
        student=student or classifier(32), teacher=teacher or classifier(64),
        distill_losses=losses, **kwargs)


# -- the teacher component -----------------------------------------------------
def test_live_teacher_stays_in_eval_and_out_of_the_parameters():
    model = distiller()
    assert isinstance(model.teacher, LiveTeacher) and model.teacher.is_live
    model.train()
    assert model.student.training
    assert not any(m.training for m in model.teacher.modules())
    teacher = {id(p) for p in model.teacher.parameters()}
    assert not teacher & {id(p) for p in model.parameters()}
    assert not any(k.startswith('teacher.') for k in model.state_dict())


def test_cached_teacher_logits_move_to_the_student_device():
    # BaseDataElement.to() moves data fields, not metainfo: the logits stay
    # where the loader put them, and the teacher moves them to the device
    # of the student's inputs ('meta' here stands for a GPU)
    from mmpretrain.structures import DataSample
    teacher = CachedTeacher()
    samples = [DataSample(metainfo=dict(teacher_logits=torch.randn(5)))
               for _ in range(3)]
    inputs = torch.empty(3, 3, 8, 8, device='meta')
    teacher.record(inputs, samples)
    logits = teacher.get(('head.fc', 'output'))
    assert logits.shape == (3, 5) and logits.device.type == 'meta'


def test_cached_teacher_without_logits_names_the_pipeline_step():
    from mmpretrain.structures import DataSample
    with pytest.raises(TapError, match='ReplayedAugment'):
        CachedTeacher().record(torch.zeros(1), [DataSample()])


def test_hard_refuses_a_cached_teacher_at_build():
    cfg = dict(type='mmkd_ext.HARDDistiller', student=classifier(8),
               teacher='cached', distill_losses=KD,
               augmentor=dict(type='LearnedAffineAugmentor'))
    with DefaultScope.overwrite_default_scope('mmpretrain'), \
            pytest.raises(DistillerConfigError,
                          match="teacher='cached': HARDDistiller .* needs a "
                          'live teacher'):
        MODELS.build(cfg)


# -- terms ---------------------------------------------------------------------
def test_inactive_term_gives_every_parameter_a_zero_gradient():
    model = distiller(ALIGNED)
    model.train()
    model.terms['feat'].scale = 0.0
    losses = loss_of(model, cls_batch())
    assert losses['loss_feat'].item() == 0
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    align = list(model.distill_losses.parameters())
    assert align and all(p.grad is not None and not p.grad.any()
                         for p in align)


def test_scale_multiplies_the_term():
    model = distiller()
    model.train()
    full = loss_of(model, cls_batch())['loss_kd']
    model.terms['kd'].scale = 0.25
    assert loss_of(model, cls_batch())['loss_kd'].item() == pytest.approx(
        0.25 * full.item(), rel=1e-6)


# -- the teacher is in no optimizer that users get ------------------------------
def test_teacher_in_no_optimizer_of_mmengines_constructor_with_paramwise():
    model = distiller(ALIGNED)
    wrapper = build_optim_wrapper(model, dict(
        optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
        paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                           custom_keys={'.fc': dict(lr_mult=10)})))
    optimized = {id(p) for group in wrapper.optimizer.param_groups
                 for p in group['params']}
    assert not optimized & {id(p) for p in model.teacher.parameters()}
    # everything trainable of the distiller is there
    assert optimized == {id(p) for p in model.parameters()
                         if p.requires_grad}


# -- taps never silently empty or detached --------------------------------------
class KeywordCalled(nn.Module):
    """Calls its ``inner`` module with a keyword argument."""

    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(4, 4)

    def forward(self, x):
        return self.inner(input=x)


def test_input_tap_of_a_module_called_by_keyword_records_the_argument():
    from mmkd_ext.models.distillers import Taps
    model = KeywordCalled()
    taps = Taps(model, [('inner', 'input')], 'student', 'key')
    x = torch.randn(2, 4)
    model(x)
    assert torch.equal(taps.get(('inner', 'input')), x)


def test_input_tap_of_a_module_with_several_keywords_is_named():
    from mmkd_ext.models.distillers import Taps
    model = nn.Bilinear(2, 2, 2)
    taps = Taps(model, [('', 'input')], 'student', 'distill_losses.x')
    with pytest.raises(TapError, match="distill_losses.x: the input tap of "
                       "student module ''.*input1"):
        model(input1=torch.randn(1, 2), input2=torch.randn(1, 2))


def test_student_tap_under_activation_checkpointing_is_named():
    student = classifier(32)
    student['backbone']['with_cp'] = True
    tap = 'backbone.layer2.0.conv1'
    model = distiller(dict(feat=dict(type='FeatureMSELoss', student_tap=tap,
                                     teacher_tap=tap)),
                      student=student, teacher=classifier(32))
    model.train()
    with pytest.raises(DistillInputError,
                       match=f"distill_losses.feat: the student tap '{tap}' "
                       'recorded a value without gradient.*with_cp=True'):
        loss_of(model, cls_batch())


def test_taps_follow_modules_replaced_when_training_starts():
    # mmengine's revert_sync_batchnorm (one process) replaces SyncBN layers
    from mmengine.model import revert_sync_batchnorm
    student = classifier(32)
    student['backbone']['norm_cfg'] = dict(type='SyncBN')
    tap = 'backbone.layer2.0.downsample.1'  # a BN, not modified in place
    model = distiller(dict(feat=dict(type='FeatureMSELoss', student_tap=tap,
                                     teacher_tap=tap)),
                      student=student, teacher=classifier(32))
    model = revert_sync_batchnorm(model)
    model.train()
    losses = loss_of(model, cls_batch())
    assert losses['loss_feat'].item() > 0
