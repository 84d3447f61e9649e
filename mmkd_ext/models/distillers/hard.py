"""HARD: distillation on learned hard augmentations (Nix et al., 2023).

The paper's code was never released; the objective is the reconstruction of
methods.md 3.2, and its choices are arguments of ``HARDDistiller``."""
import contextlib
import copy

import torch
from torch.nn.modules.batchnorm import _BatchNorm

from mmkd_ext.models.losses.kd import KDLoss
from mmkd_ext.registry import MODELS
from .base import unwrap
from .classification import ClassificationDistiller
from .errors import DistillerConfigError

AUGMENT_MODES = ('replace', 'append')


@MODELS.register_module()
class HARDDistiller(ClassificationDistiller):
    """Distil on inputs that a learned augmentor g_phi makes hard: an
    alternating min-max game between the augmentor and the student.

    One training iteration (:meth:`train_step`) on a preprocessed batch x,
    of which ``n = round(augment_fraction * B)`` images are augmented (the
    first n; the loader shuffles, so they are a random subset):

    1. ``augmentor_steps`` (k_A) updates of phi (:meth:`augmentor_step`),
       minimising (methods.md 3.2)::

           L_A = - sum_i w_i loss_i(s(x~), t(x~))        loss_aug_divergence
                 + lambda_c tau_c^2 KL(t(x) || t(x~))     loss_aug_consistency
                 + lambda_reg Reg(phi)                    loss_aug_reg

       on x~ = g_phi(x[:n]), loss_i the ``distill_losses`` with their
       current weights w_i. The student (its BN statistics too) and the
       losses' own parameters are frozen; teacher and student run with
       autograd so that dL_A/dx~ reaches phi.
    2. ``student_steps`` (k_S) updates of the student and the losses' own
       parameters (:meth:`student_step`): the student's loss plus the
       distillation losses on the batch with the n augmented images
       (detached, fresh samples of g_phi), which either replace their
       originals (``augment_mode='replace'``) or are appended to the batch
       (``'append'``).

    It needs two optimizers: ``optim_wrapper`` built by
    ``mmkd_ext.OptimWrapperDictConstructor`` with entries ``student`` (the
    student and the distillation losses' parameters) and ``augmentor``.
    Under torch.distributed, wrap it with
    ``model_wrapper_cfg=dict(type='MMSeparateDistributedDataParallel')``:
    the student and the augmentor are then synchronised each by its own DDP.

    Args:
        augmentor (dict): config of the augmentor (``mmkd_ext`` scope), e.g.
            ``dict(type='LearnedAffineAugmentor', translation_only=True)``.
            It must return images of its input shape and have
            ``regularizer()``.
        augment_fraction (float): n / B, in [0, 1]; 0 is plain
            distillation (no augmentor step). Defaults to 0.5.
        augment_mode (str): ``'replace'`` or ``'append'`` (see 2.).
            Defaults to ``'replace'``.
        augmentor_steps (int): k_A >= 1. Defaults to 1.
        student_steps (int): k_S >= 1. Defaults to 1.
        consistency_weight (float): lambda_c. Defaults to 1.0: at the
            distillation temperature (the default tau_c) the consistency
            and divergence terms are KLs of the same softened
            distributions, so weight 1 lets the augmentor gain only where
            the student disagrees more than the teacher's own answer moves.
        consistency_temperature (float, optional): tau_c. Defaults to the
            ``temperature`` of the first distillation loss that has one
            (1.0 when none has).
        reg_weight (float): lambda_reg. Defaults to 0.1.
        freeze_bn_in_augmentor_step (bool): the student's BN layers in eval
            mode in the augmentor step. Defaults to True.
        **kwargs: the arguments of ``ClassificationDistiller`` (student,
            teacher, distill_losses, teacher_ckpt, ...).
    """
    # what each optimizer of OptimWrapperDictConstructor trains
    optim_wrapper_modules = dict(student=('student', 'distill_losses'),
                                 augmentor=('augmentor', ))
    needs_live_teacher = True

    def __init__(self, *args, augmentor, augment_fraction=0.5,
                 augment_mode='replace', augmentor_steps=1, student_steps=1,
                 consistency_weight=1.0, consistency_temperature=None,
                 reg_weight=0.1, freeze_bn_in_augmentor_step=True, **kwargs):
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
        if augment_mode not in AUGMENT_MODES:
            raise DistillerConfigError(
                f'augment_mode must be one of {AUGMENT_MODES}, got '
                f'{augment_mode!r}')
        self.augment_fraction = augment_fraction
        self.augment_mode = augment_mode
        self.augmentor_steps = augmentor_steps
        self.student_steps = student_steps
        self.reg_weight = reg_weight
        self.freeze_bn_in_augmentor_step = freeze_bn_in_augmentor_step
        if consistency_temperature is None:
            consistency_temperature = next(
                (term.loss.temperature for term in self.terms.values()
                 if hasattr(term.loss, 'temperature')), 1.0)
        self.consistency = KDLoss(temperature=consistency_temperature,
                                  loss_weight=consistency_weight)
        augmentor = copy.deepcopy(augmentor)
        augmentor.setdefault('_scope_', 'mmkd_ext')
        self.augmentor = MODELS.build(augmentor)
        if not callable(getattr(self.augmentor, 'regularizer', None)):
            raise DistillerConfigError(
                f'augmentor: {type(self.augmentor).__name__} has no '
                f'regularizer() method (see BaseAugmentor)')

    # -- one training iteration --------------------------------------------
    def train_step(self, data, optim_wrapper):
        """k_A augmentor updates, then k_S student updates, on one batch.
        Logs both steps' losses (the augmentor's total as
        ``loss_augmentor``) and the augmentor's statistics (``aug.*``, e.g.
        the translation's mean and std in pixels)."""
        if any(k not in getattr(optim_wrapper, 'optim_wrappers', ())
               for k in self.optim_wrapper_modules):
            raise DistillerConfigError(
                f'optim_wrapper: HARDDistiller steps the student and the '
                f'augmentor with separate optimizers; build optim_wrapper '
                f"with constructor='mmkd_ext.OptimWrapperDictConstructor' "
                f'and entries {list(self.optim_wrapper_modules)}')
        data = self.data_preprocessor(data, True)
        inputs, data_samples = data['inputs'], data['data_samples']
        log_vars = {}
        # with every distillation weight 0 there is nothing to make hard:
        # the student trains alone, on the clean batch
        distilling = any(term.active for term in self.terms.values())
        if distilling and self.num_augmented(len(inputs)):
            for _ in range(self.augmentor_steps):
                log_vars.update(self.augmentor_step(
                    inputs, data_samples, optim_wrapper['augmentor']))
        for _ in range(self.student_steps):
            log_vars.update(self.student_step(
                inputs, data_samples, optim_wrapper['student'], distilling))
        stats = unwrap(self.augmentor).log_stats(inputs.shape[2:])
        log_vars.update({f'aug.{k}': v for k, v in stats.items()})
        return log_vars

    def augmentor_step(self, inputs, data_samples, optim_wrapper):
        """One update of phi on the first n images (see the class
        docstring for L_A); returns the logged ``loss_aug_*`` and
        ``loss_augmentor``. The divergence is the terms' scaled losses,
        computed as in the student's step."""
        n = self.num_augmented(len(inputs))
        inputs, data_samples = inputs[:n], data_samples[:n]
        with torch.no_grad():
            clean_logits = self.teacher(inputs, data_samples)
        with optim_wrapper.optim_context(self.augmentor), \
                self._student_frozen(), self.fresh_taps():
            augmented = self.augment(inputs)
            augmented_logits = self.teacher(augmented, data_samples)
            unwrap(self.student)(augmented, data_samples, mode='tensor')
            # the losses are frozen here: past their DDP wrapper, which
            # would wait for their gradients
            terms = unwrap(self.distill_losses)(
                self.tap_sources, data_samples, inputs.new_zeros(()))
            divergence = sum(value for key, value in terms.items()
                             if key.startswith('loss_'))
            losses = dict(
                loss_aug_divergence=-divergence,
                loss_aug_consistency=self.consistency(augmented_logits,
                                                      clean_logits),
                loss_aug_reg=self.reg_weight *
                unwrap(self.augmentor).regularizer())
        total, log_vars = self.parse_losses(losses)
        optim_wrapper.update_params(total)
        log_vars['loss_augmentor'] = log_vars.pop('loss')
        return log_vars

    def student_step(self, inputs, data_samples, optim_wrapper,
                     augmented=True):
        """One update of the student and the distillation losses' own
        parameters: its loss and ``loss_<name>`` on the batch with n images
        augmented (:meth:`augmented_batch`), or on the batch as it is."""
        if augmented:
            inputs, data_samples = self.augmented_batch(inputs, data_samples)
        with optim_wrapper.optim_context(self.student):
            losses = self.loss(inputs, data_samples)
        total, log_vars = self.parse_losses(losses)
        optim_wrapper.update_params(total)
        return log_vars

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
                f'augmentor: {type(unwrap(self.augmentor)).__name__} '
                f'returned {shape} for inputs of shape {tuple(inputs.shape)};'
                f' an augmentor must return images of its input shape')
        return out

    def augmented_batch(self, inputs, data_samples):
        """The student step's batch: g_phi(x[:n]) (detached) replacing
        x[:n], or appended to x (with their data samples again)."""
        n = self.num_augmented(len(inputs))
        if n == 0:
            return inputs, data_samples
        with torch.no_grad():
            augmented = self.augment(inputs[:n])
        if self.augment_mode == 'replace':
            return torch.cat([augmented, inputs[n:]]), data_samples
        return torch.cat([inputs, augmented]), \
            list(data_samples) + list(data_samples[:n])

    @contextlib.contextmanager
    def _student_frozen(self):
        """The student's and the losses' parameters without gradients, and
        (``freeze_bn_in_augmentor_step``) the student's BN statistics."""
        params = [p for m in (self.student, self.distill_losses)
                  for p in m.parameters()]
        requires_grad = [p.requires_grad for p in params]
        bns = [m for m in self.student.modules()
               if isinstance(m, _BatchNorm) and m.training] \
            if self.freeze_bn_in_augmentor_step else []
        for param in params:
            param.requires_grad_(False)
        for bn in bns:
            bn.eval()
        try:
            yield
        finally:
            for param, flag in zip(params, requires_grad):
                param.requires_grad_(flag)
            for bn in bns:
                bn.train()

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            raise DistillerConfigError(
                'HARDDistiller trains through its own train_step (two '
                'optimizers, alternating steps); under torch.distributed set '
                "model_wrapper_cfg=dict(type='MMSeparateDistributedDataParallel')")
        return super().forward(inputs, data_samples, mode)
