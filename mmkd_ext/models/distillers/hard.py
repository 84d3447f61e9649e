"""HARD: distillation on learned hard augmentations (Nix et al., 2023).

The paper's code was never released; the objective is the reconstruction of
methods.md 3.2, and its choices are arguments of ``HARDDistiller``."""
import contextlib
import copy

import torch
from mmengine.dist import get_world_size
from mmengine.optim import OptimWrapperDict
from torch.nn.modules.batchnorm import _BatchNorm

from mmkd_ext.models.losses.kd import KDLoss
from mmkd_ext.registry import MODELS
from .base import DistillerConfigError
from .classification import ClassificationDistiller


@MODELS.register_module()
class HARDDistiller(ClassificationDistiller):
    """Distil on inputs that a learned augmentor g_phi makes hard: an
    alternating min-max game between the augmentor and the student.

    Each training iteration (``train_step``) on a preprocessed batch x, of
    which the first ``n = round(augment_fraction * B)`` images are augmented
    (the loader shuffles, so they are a random subset):

    1. ``augmentor_steps`` (k_A) augmentor updates, minimising (methods.md
       3.2)::

           L_A = - sum_i loss_i(s(x~), t(x~))           (loss_aug_divergence)
                 + consistency_weight * tau_c^2 * KL(t(x) || t(x~))
                                                        (loss_aug_consistency)
                 + reg_weight * Reg(phi)                (loss_aug_reg)

       with x~ = g_phi(x[:n]) and loss_i the ``distill_losses``. Teacher and
       student parameters are frozen (``requires_grad=False``) but their
       forwards run with autograd, so dL_A/dx~ reaches phi. The student's
       BN statistics are frozen in this step unless
       ``freeze_bn_in_augmentor_step=False``.
    2. ``student_steps`` (k_S) student updates on the batch with its first n
       images replaced by a fresh, detached g_phi(x[:n]): the student's own
       loss plus the distillation losses (``loss_<name>``), i.e. KD on
       augmented and clean inputs.

    It needs two optimizers: ``optim_wrapper`` built by
    ``mmkd_ext.OptimWrapperDictConstructor`` with entries ``student`` and
    ``augmentor``. Single-process training only (a clear error in DDP):
    mmengine's DDP wrappers run their own one-optimizer train step.

    Args:
        augmentor (dict): config of the augmentor (``mmkd_ext`` scope), e.g.
            ``dict(type='LearnedAffineAugmentor', translation_only=True)``.
            It must return images of its input shape and have
            ``regularizer()``.
        augment_fraction (float): fraction of each batch that is augmented,
            in [0, 1]. 0 is plain distillation (no augmentor step).
            Defaults to 0.5.
        augmentor_steps (int): k_A >= 1. Defaults to 1.
        student_steps (int): k_S >= 1. Defaults to 1.
        consistency_weight (float): lambda_t of the teacher-consistency term.
            Defaults to 1.0.
        consistency_temperature (float): tau_c. Defaults to 1.0.
        reg_weight (float): lambda_reg. Defaults to 0.1.
        freeze_bn_in_augmentor_step (bool): keep the student's BN layers in
            eval mode during the augmentor step. Defaults to True.
        **kwargs: the arguments of ``ClassificationDistiller`` (student,
            teacher, distill_losses, teacher_ckpt, ...).
    """
    optim_wrapper_keys = ('student', 'augmentor')

    def __init__(self, *args, augmentor, augment_fraction=0.5,
                 augmentor_steps=1, student_steps=1, consistency_weight=1.0,
                 consistency_temperature=1.0, reg_weight=0.1,
                 freeze_bn_in_augmentor_step=True, **kwargs):
        if get_world_size() > 1:
            raise DistillerConfigError(
                'HARDDistiller trains in a single process: mmengine\'s DDP '
                'wrappers run their own one-optimizer step, which would skip '
                'the augmentor; launch tools/train.py without --launcher')
        super().__init__(*args, **kwargs)
        for key, value in (('augmentor_steps', augmentor_steps),
                           ('student_steps', student_steps)):
            if isinstance(value, bool) or not isinstance(value, int) or \
                    value < 1:
                raise DistillerConfigError(
                    f'{key} must be an integer >= 1, got {value!r}')
        if not 0 <= augment_fraction <= 1:
            raise DistillerConfigError(
                f'augment_fraction must be in [0, 1], got {augment_fraction}')
        self.augment_fraction = augment_fraction
        self.augmentor_steps = augmentor_steps
        self.student_steps = student_steps
        self.reg_weight = reg_weight
        self.freeze_bn_in_augmentor_step = freeze_bn_in_augmentor_step
        self.consistency = KDLoss(temperature=consistency_temperature,
                                  loss_weight=consistency_weight)
        augmentor = copy.deepcopy(augmentor)
        augmentor.setdefault('_scope_', 'mmkd_ext')
        self.augmentor = MODELS.build(augmentor)
        if not callable(getattr(self.augmentor, 'regularizer', None)):
            raise DistillerConfigError(
                f'augmentor: {type(self.augmentor).__name__} has no '
                f'regularizer() method (see BaseAugmentor)')
        self._in_augmentor_step = False
        self._teacher_logits = None

    # -- augmentation -------------------------------------------------------
    def num_augmented(self, batch_size):
        """n images of a batch of ``batch_size`` that are augmented."""
        if self.augment_fraction == 0:
            return 0
        return max(1, round(self.augment_fraction * batch_size))

    def augment(self, inputs):
        """g_phi(inputs) with its shape checked: (B, C, H, W) -> same."""
        out = self.augmentor(inputs)
        if not isinstance(out, torch.Tensor) or out.shape != inputs.shape:
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) \
                else type(out).__name__
            raise DistillerConfigError(
                f'augmentor: {type(self.augmentor).__name__} returned '
                f'{shape} for inputs of shape {tuple(inputs.shape)}; an '
                f'augmentor must return images of its input shape')
        return out

    def mix_augmented(self, inputs):
        """The batch with its first n images replaced by a detached
        g_phi(x[:n]) (the student step's inputs)."""
        n = self.num_augmented(len(inputs))
        if n == 0:
            return inputs
        with torch.no_grad():
            augmented = self.augment(inputs[:n])
        return torch.cat([augmented, inputs[n:]])

    # -- the two steps ------------------------------------------------------
    def loss(self, inputs, data_samples):
        """Student step losses: student and distillation losses on the
        batch with its first n images augmented (detached)."""
        return super().loss(self.mix_augmented(inputs), data_samples)

    def teacher_forward(self, inputs, data_samples):
        if not self._in_augmentor_step:
            return super().teacher_forward(inputs, data_samples)
        # with autograd: dL_A/dx~ flows through the frozen teacher
        self._teacher_logits = self.teacher(inputs, data_samples,
                                            mode='tensor')

    @contextlib.contextmanager
    def _augmentor_step(self):
        """Student parameters frozen (and its BN statistics, by default);
        the teacher forward runs with autograd."""
        requires_grad = [p.requires_grad for p in self.student.parameters()]
        bns = [m for m in self.student.modules()
               if isinstance(m, _BatchNorm) and m.training] \
            if self.freeze_bn_in_augmentor_step else []
        self.student.requires_grad_(False)
        for bn in bns:
            bn.eval()
        self._in_augmentor_step = True
        try:
            yield
        finally:
            self._in_augmentor_step = False
            self._teacher_logits = None
            for param, flag in zip(self.student.parameters(), requires_grad):
                param.requires_grad_(flag)
            for bn in bns:
                bn.train()

    def augmentor_loss(self, inputs, data_samples):
        """L_A on the first n images of a preprocessed batch (see the class
        docstring): ``loss_aug_divergence``, ``loss_aug_consistency``,
        ``loss_aug_reg``."""
        n = self.num_augmented(len(inputs))
        inputs, data_samples = inputs[:n], data_samples[:n]
        with torch.no_grad():
            clean_logits = self.teacher(inputs, data_samples, mode='tensor')
        self.teacher_taps.clear()
        augmented = self.augment(inputs)
        with self._augmentor_step():
            losses = super().loss(augmented, data_samples)
            augmented_logits = self._teacher_logits
        divergence = sum(losses[f'loss_{name}']
                         for name in self.distill_losses)
        return dict(
            loss_aug_divergence=-divergence,
            loss_aug_consistency=self.consistency(augmented_logits,
                                                  clean_logits),
            loss_aug_reg=self.reg_weight * self.augmentor.regularizer())

    def train_step(self, data, optim_wrapper):
        """k_A augmentor updates, then k_S student updates, on one batch.
        Logs the student step's losses and the augmentor's (``loss_aug_*``,
        total ``loss_augmentor``)."""
        if not isinstance(optim_wrapper, OptimWrapperDict) or any(
                k not in optim_wrapper for k in self.optim_wrapper_keys):
            raise DistillerConfigError(
                f'optim_wrapper: HARDDistiller steps the student and the '
                f'augmentor with separate optimizers; build optim_wrapper '
                f"with constructor='mmkd_ext.OptimWrapperDictConstructor' "
                f'and entries {list(self.optim_wrapper_keys)}')
        data = self.data_preprocessor(data, True)
        log_vars = {}
        if self.num_augmented(len(data['inputs'])):
            for _ in range(self.augmentor_steps):
                log_vars = self._update(optim_wrapper['augmentor'],
                                        self.augmentor, self.augmentor_loss,
                                        data)
            log_vars['loss_augmentor'] = log_vars.pop('loss')
        for _ in range(self.student_steps):
            student_vars = self._update(optim_wrapper['student'],
                                        self.student, self.loss, data)
        log_vars.update(student_vars)
        return log_vars

    def _update(self, optim_wrapper, module, loss_fn, data):
        with optim_wrapper.optim_context(module):
            losses = loss_fn(**data)
        parsed, log_vars = self.parse_losses(losses)
        optim_wrapper.update_params(parsed)
        return log_vars
