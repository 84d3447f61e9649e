"""HARDDistiller (unit level, tiny models): the augmentor and student steps,
what each step freezes, k_A:k_S, the augmented fraction, bad input."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope

from mmkd_ext.engine import OptimWrapperConfigError
from mmkd_ext.models.augmentors import BaseAugmentor
from mmkd_ext.models.distillers import DistillerConfigError
from mmkd_ext.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS


def resnet(width):
    return dict(
        type='ImageClassifier',
        backbone=dict(type='ResNet', depth=18, in_channels=1,
                      stem_channels=width, base_channels=width),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=4, in_channels=width * 8,
                  loss=dict(type='CrossEntropyLoss')))


MLP = dict(
    type='ImageClassifier',
    backbone=dict(type='mmkd_ext.MLP', in_channels=1, input_size=16,
                  hidden_dims=(8, )),
    head=dict(type='LinearClsHead', num_classes=4, in_channels=8,
              loss=dict(type='CrossEntropyLoss')))
PREPROCESSOR = dict(type='ClsDataPreprocessor', mean=[127.5], std=[127.5])
SHIFT = dict(type='LearnedAffineAugmentor', translation_only=True,
             init_std=0.1)
OPTIM = dict(student=dict(optimizer=dict(type='SGD', lr=0.1)),
             augmentor=dict(optimizer=dict(type='Adam', lr=0.01)))


def build(student=MLP, **kwargs):
    cfg = dict(type='mmkd_ext.HARDDistiller', student=student,
               teacher=resnet(8), data_preprocessor=PREPROCESSOR,
               distill_losses=dict(kd=dict(
                   type='KDLoss', student_tap='head.fc',
                   teacher_tap='head.fc')),
               augmentor=SHIFT)
    cfg.update(kwargs)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg)
    model.init_weights()
    return model


def optim_wrappers(model, cfg=OPTIM):
    return OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
        type='mmkd_ext.OptimWrapperDictConstructor',
        optim_wrapper_cfg=cfg))(model)


def batch(size=8):
    from mmpretrain.structures import DataSample
    gen = torch.Generator().manual_seed(0)
    return dict(
        inputs=[torch.randint(0, 255, (1, 16, 16), generator=gen,
                              dtype=torch.uint8) for _ in range(size)],
        data_samples=[DataSample().set_gt_label(i % 4) for i in range(size)])


def params(module):
    return [p.detach().clone() for p in module.parameters()]


def changed(before, module):
    return [not torch.equal(a, b) for a, b in zip(before, module.parameters())]


STATS = {'aug.tx_mean_px', 'aug.ty_mean_px', 'aug.tx_std_px',
         'aug.ty_std_px'}


def test_train_step_alternates_and_logs_both_steps():
    model = build()
    wrappers = optim_wrappers(model)
    teacher, student = params(model.teacher), params(model.student)
    augmentor = params(model.augmentor)
    log = model.train_step(batch(), wrappers)
    assert set(log) == {'loss_aug_divergence', 'loss_aug_consistency',
                        'loss_aug_reg', 'loss_augmentor', 'loss',
                        'loss_kd'} | STATS
    # -KD, checked against the formula in
    # test_augmentor_loss_at_identity_against_the_formulas
    assert log['loss_augmentor'].item() == pytest.approx(
        (log['loss_aug_divergence'] + log['loss_aug_consistency'] +
         log['loss_aug_reg']).item(), rel=1e-5)
    assert not any(changed(teacher, model.teacher))
    assert all(changed(student, model.student))
    assert all(changed(augmentor, model.augmentor))
    # each optimizer holds only its own part
    assert [id(p) for p in wrappers['augmentor'].param_groups[0]['params']] \
        == [id(p) for p in model.augmentor.parameters()]
    # sigma in pixels of the 16-pixel image: init_std 0.1 of the image
    stats = model.augmentor.log_stats((16, 16))
    assert log['aug.tx_std_px'].item() == pytest.approx(
        stats['tx_std_px'].item())


@pytest.mark.parametrize('k_a,k_s', [(2, 3), (1, 1)])
def test_k_augmentor_and_k_student_updates_per_iteration(k_a, k_s):
    model = build(augmentor_steps=k_a, student_steps=k_s)
    wrappers = optim_wrappers(model)
    model.train_step(batch(), wrappers)
    assert wrappers['augmentor'].optimizer.state[
        model.augmentor.delta.mean]['step'] == k_a
    assert wrappers['augmentor']._inner_count == k_a
    assert wrappers['student']._inner_count == k_s


def augmentor_losses(model, data, optim=None):
    """The augmentor step's losses, without updating phi (a zero lr)."""
    optim = optim or optim_wrappers(model, dict(
        OPTIM, augmentor=dict(optimizer=dict(type='SGD', lr=0.0))))
    data = model.data_preprocessor(data, True)
    return model.augmentor_step(data['inputs'], data['data_samples'],
                                optim['augmentor'])


def test_augmentor_loss_at_identity_against_the_formulas():
    """With a deterministic identity augmentor x~ = x: the divergence term
    is -KD(s(x), t(x)) and the teacher-consistency term is 0."""
    model = build(augmentor=dict(type='LearnedAffineAugmentor',
                                 init_std=0, learn_std=False),
                  augment_fraction=0.5, reg_weight=0.1)
    with torch.no_grad():  # logits far from uniform
        for net in (model.teacher.model, model.student):
            net.head.fc.weight.normal_(0, 1)
    model.train()
    x = model.data_preprocessor(batch(), True)['inputs'][:4]
    with torch.no_grad():
        t = model.teacher(x, mode='tensor')
        s = model.student(x, mode='tensor')
    log = augmentor_losses(model, batch())
    kd = 16 * F.kl_div(F.log_softmax(s / 4, 1), F.log_softmax(t / 4, 1),
                       log_target=True, reduction='batchmean')
    assert log['loss_aug_divergence'].item() == pytest.approx(
        -kd.item(), rel=1e-5)
    assert log['loss_aug_consistency'].item() == pytest.approx(0, abs=1e-6)
    assert log['loss_aug_reg'].item() == 0


def test_consistency_is_kd_of_teacher_outputs_at_the_kd_temperature():
    model = build(consistency_weight=2.0)
    assert model.consistency.temperature == 4.0  # the KDLoss default
    assert model.consistency.loss_weight == 2.0
    assert build(consistency_temperature=1.5).consistency.temperature == 1.5


def test_augmentor_step_freezes_student_and_losses_but_not_gradients():
    model = build(student=resnet(4))
    model.train()
    running_mean = model.student.backbone.bn1.running_mean.clone()
    before = params(model.student)
    augmentor = params(model.augmentor)
    augmentor_losses(model, batch(), optim_wrappers(model))
    assert all(changed(augmentor, model.augmentor))
    assert not any(changed(before, model.student))
    assert all(p.grad is None or not p.grad.any()
               for p in model.student.parameters())
    assert all(p.grad is None for p in model.teacher.parameters())
    # frozen only during the step; BN statistics untouched by default
    assert all(p.requires_grad for p in model.student.parameters())
    assert model.student.backbone.bn1.training
    assert torch.equal(model.student.backbone.bn1.running_mean, running_mean)

    model = build(student=resnet(4), freeze_bn_in_augmentor_step=False)
    model.train()
    augmentor_losses(model, batch())
    assert not torch.equal(model.student.backbone.bn1.running_mean,
                           running_mean)


@pytest.mark.parametrize('fraction,num', [(0.5, 4), (0.3, 2), (1, 8), (0, 0),
                                          (0.01, 1)])
def test_student_batch_replaces_a_detached_fraction(fraction, num):
    model = build(augment_fraction=fraction)
    with torch.no_grad():
        model.augmentor.delta.mean.fill_(0.25)  # a visible shift
    data = model.data_preprocessor(batch(), True)
    x, samples = data['inputs'], data['data_samples']
    mixed, mixed_samples = model.augmented_batch(x, samples)
    assert mixed.shape == x.shape and not mixed.requires_grad
    assert mixed_samples is samples
    assert model.num_augmented(8) == num
    assert all(not torch.equal(mixed[i], x[i]) for i in range(num))
    assert torch.equal(mixed[num:], x[num:])


def test_student_batch_appends_augmented_copies():
    model = build(augment_fraction=0.25, augment_mode='append')
    data = model.data_preprocessor(batch(), True)
    x, samples = data['inputs'], data['data_samples']
    bigger, bigger_samples = model.augmented_batch(x, samples)
    assert bigger.shape == (10, 1, 16, 16) and torch.equal(bigger[:8], x)
    assert bigger_samples[8:] == samples[:2]
    log = model.train_step(batch(), optim_wrappers(model))
    assert 'loss_kd' in log
    with pytest.raises(DistillerConfigError, match="augment_mode must be"):
        build(augment_mode='mix')


def test_no_augmentor_step_when_nothing_is_augmented():
    model = build(augment_fraction=0)
    before = params(model.augmentor)
    log = model.train_step(batch(), optim_wrappers(model))
    assert set(log) == {'loss', 'loss_kd'} | STATS
    assert not any(changed(before, model.augmentor))


def test_loss_parameters_train_with_the_student():
    model = build(student=resnet(4), distill_losses=dict(
        kd=dict(type='KDLoss', student_tap='head.fc', teacher_tap='head.fc'),
        feat=dict(type='FeatureMSELoss', student_tap='backbone.layer4',
                  teacher_tap='backbone.layer4', student_channels=32,
                  teacher_channels=64)))
    wrappers = optim_wrappers(model)
    student_params = {id(p) for g in wrappers['student'].param_groups
                      for p in g['params']}
    align = list(model.distill_losses.feat.parameters())
    assert align and all(id(p) in student_params for p in align)
    before = params(model.distill_losses)
    model.train_step(batch(), wrappers)
    assert all(changed(before, model.distill_losses))


def test_a_parameter_in_no_optimizer_is_named():
    from mmkd_ext.engine import OptimWrapperDictConstructor
    model = build()
    with pytest.raises(OptimWrapperConfigError,
                       match=r"trainable parameters of HARDDistiller are in "
                       r"no optimizer.*augmentor.delta.mean"):
        model.optim_wrapper_modules = dict(student=('student', ))
        OptimWrapperDictConstructor(dict(student=OPTIM['student']))(model)


def test_the_default_ddp_wrapper_gets_a_clear_error():
    model = build()
    wrappers = optim_wrappers(model)
    with pytest.raises(OptimWrapperConfigError,
                       match='MMSeparateDistributedDataParallel'):
        with wrappers.optim_context(model):
            pass
    data = model.data_preprocessor(batch(), True)
    with pytest.raises(DistillerConfigError,
                       match='MMSeparateDistributedDataParallel'):
        model(**data, mode='loss')


# -- bad input ---------------------------------------------------------------
class CroppingAugmentor(BaseAugmentor):
    """Returns a smaller image: not a valid augmentor."""

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))

    def forward(self, inputs):
        return self.scale * inputs[..., 1:, 1:]

    def regularizer(self):
        return torch.zeros(())


def test_augmentor_changing_the_shape_is_named():
    model = build(augmentor=dict(type=CroppingAugmentor))
    with pytest.raises(DistillerConfigError,
                       match=r'augmentor: CroppingAugmentor returned '
                       r'\(4, 1, 15, 15\) for inputs of shape '
                       r'\(4, 1, 16, 16\)'):
        model.train_step(batch(), optim_wrappers(model))


def test_optimizer_config_missing_the_augmentor_entry():
    model = build()
    with pytest.raises(OptimWrapperConfigError,
                       match=r"no entry for \['augmentor'\]"):
        optim_wrappers(model, dict(student=OPTIM['student']))
    with pytest.raises(OptimWrapperConfigError,
                       match=r"optim_wrapper.augmentor: must be"):
        optim_wrappers(model, dict(student=OPTIM['student'],
                                   augmentor=dict(lr=0.1)))
    with pytest.raises(OptimWrapperConfigError,
                       match="has no submodule 'head'"):
        optim_wrappers(model, dict(OPTIM, head=OPTIM['student']))
    plain = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(DistillerConfigError,
                       match='OptimWrapperDictConstructor'):
        model.train_step(batch(), plain)


@pytest.mark.parametrize('key,value', [
    ('augmentor_steps', 0), ('student_steps', 0), ('student_steps', -1),
    ('augmentor_steps', 1.5)])
def test_steps_below_one(key, value):
    with pytest.raises(DistillerConfigError,
                       match=f'{key} must be an integer >= 1'):
        build(**{key: value})


@pytest.mark.parametrize('fraction', [-0.1, 1.5])
def test_fraction_outside_unit_interval(fraction):
    with pytest.raises(DistillerConfigError,
                       match=r'augment_fraction must be in \[0, 1\]'):
        build(augment_fraction=fraction)


def test_picture_shows_originals_above_augmentations():
    from mmkd_ext.engine.hooks import AugmentorVisualizationHook
    model = build(augmentor=dict(type='LearnedAffineAugmentor',
                                 translation_only=True, init_std=0,
                                 learn_std=False, padding_mode='zeros'))
    with torch.no_grad():  # one pixel to the left
        model.augmentor.delta.mean.copy_(torch.tensor([1 / 16, 0.]))
    data = batch()
    grid = AugmentorVisualizationHook(num_images=3).picture(model, data)
    assert grid.shape == (2 * 18 + 2, 3 * 18 + 2, 3) and grid.dtype.name == \
        'uint8'
    for i in range(3):
        original = data['inputs'][i][0].numpy()
        left = 2 + i * 18
        assert (grid[2:18, left:left + 16] == original[..., None]).all()
        # zeros padding of normalised inputs is the mean value, 127.5
        assert (grid[20:36, left:left + 15, 0] == original[:, 1:]).all()
