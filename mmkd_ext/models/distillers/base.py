"""The distiller: a plain OpenMMLab model that owns a student, a frozen
teacher, taps on both and a dict of distillation losses."""
import copy
import inspect
import logging
import os.path as osp
import textwrap

import torch
from mmengine.config import ConfigDict
from mmengine.logging import print_log
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

from mmkd_ext.models.losses.utils import DistillInputError
from mmkd_ext.registry import MODELS
from mmkd_ext.utils.config import ConfigError, load_config
from .taps import Taps

# Keys of a ``distill_losses`` entry that are not arguments of the loss.
TAP_KEYS = ('student_tap', 'teacher_tap')


class DistillerConfigError(ConfigError):
    """A distiller config that cannot work; the message names the key."""


def load_model_config(path, key):
    """The ``model`` of the config at ``path`` (``scope::`` paths allowed),
    with the config's top-level ``data_preprocessor`` merged in. Loaded as
    the tools load configs; errors are prefixed with the config ``key``."""
    try:
        cfg = load_config(path)
    except ConfigError as err:  # a scope:: base that cannot be imported
        raise ConfigError(f'{key}: {err}') from err
    except (FileNotFoundError, ValueError) as err:
        raise FileNotFoundError(
            f'{key}: config {path!r} cannot be loaded ({err})') from err
    model = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor') is not None:
        model.setdefault('data_preprocessor', cfg.data_preprocessor)
    return model


class BaseDistiller(BaseModel):
    """Distil a frozen teacher into a student, both models of one OpenMMLab
    task library (see ``task_scope`` of the subclasses).

    A training step (``mode='loss'``)::

        teacher taps  <- teacher forward     (no_grad, eval, only what is tapped)
        student taps  <- student.loss(inputs, data_samples)   (its own losses)
        loss_<name>   =  distill_losses[name](student tap, teacher tap[, gt])

    ``predict`` and ``tensor`` modes run the student alone, so ``tools/test.py``
    on a distiller config evaluates the student with its own metrics.

    Args:
        student (dict): model config of the student (usually the base
            config's ``model``).
        teacher (dict | str): model config of the teacher, or the path of a
            config whose ``model`` is the teacher (``'mmpretrain::...'``
            paths allowed).
        distill_losses (dict): ``name -> dict(type=..., student_tap=PATH,
            teacher_tap=PATH, **loss args)``. Each loss is called as
            ``loss(student_tap_output, teacher_tap_output)``, plus the
            ground-truth labels when its ``forward`` has a ``gt_label``
            argument, and logged as ``loss_<name>``.
        teacher_ckpt (str, optional): local checkpoint of the teacher. Without
            it the teacher keeps its random initialisation (a warning says so).
        init_student_from_teacher (list[str], optional): module prefixes
            (e.g. ``['neck', 'bbox_head']``) whose teacher weights are copied
            into the student after initialisation; shapes must match.
        data_preprocessor (dict, optional): given to the student when its
            config has none (the runner passes the config's top-level one).
        init_cfg (dict, optional): init config of the distiller.
    """
    task_scope = None

    def __init__(self, student, teacher, distill_losses, teacher_ckpt=None,
                 init_student_from_teacher=None, data_preprocessor=None,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        student = copy.deepcopy(student)
        if data_preprocessor is not None:
            student.setdefault('data_preprocessor', data_preprocessor)
        if isinstance(teacher, str):
            teacher = load_model_config(teacher, 'teacher')
        with self._in_task_scope():
            self.student = MODELS.build(student)
            self.teacher = MODELS.build(teacher)
        self.data_preprocessor = self.student.data_preprocessor
        self._load_teacher(teacher_ckpt)
        self.teacher.requires_grad_(False)
        self.teacher.eval()
        # hooks, not overrides: mmengine's checkpoint code walks modules
        # itself and calls only these hooks
        self.register_state_dict_post_hook(self._drop_teacher_state)
        self.register_load_state_dict_pre_hook(self._keep_teacher_state)
        self.init_student_from_teacher = list(init_student_from_teacher or [])
        self._build_losses(distill_losses)
        # Multipliers of each distillation loss, set by
        # DistillLossScheduleHook (1.0 when no hook is used).
        self.distill_loss_scales = {name: 1.0 for name in self.distill_losses}

    # -- building -----------------------------------------------------------
    def _in_task_scope(self):
        if self.task_scope is None:
            raise NotImplementedError(
                f'{type(self).__name__} must set task_scope')
        return DefaultScope.overwrite_default_scope(self.task_scope)

    def _load_teacher(self, teacher_ckpt):
        if teacher_ckpt is None:
            print_log(
                'teacher_ckpt is not set: the teacher keeps its random '
                'initialisation', logger='current', level=logging.WARNING)
            return
        if not osp.isfile(teacher_ckpt):
            raise FileNotFoundError(
                f'teacher_ckpt: checkpoint {teacher_ckpt!r} does not exist')
        try:
            load_checkpoint(self.teacher, teacher_ckpt, map_location='cpu',
                            strict=True, logger='current')
        except RuntimeError as err:  # keys or shapes of another model
            details = '; '.join(textwrap.shorten(line, 300)
                                for line in str(err).splitlines() if line)
            raise DistillerConfigError(
                f'teacher_ckpt: {teacher_ckpt!r} does not match the teacher '
                f'config ({type(self.teacher).__name__}): {details}') from None
        # keep Runner.init_weights() from re-initialising it
        self.teacher._is_init = True

    def _build_losses(self, distill_losses):
        if not distill_losses:
            raise DistillerConfigError(
                'distill_losses is empty: give at least one loss')
        self.loss_taps = {}
        losses = {}
        for name, cfg in distill_losses.items():
            cfg = ConfigDict(copy.deepcopy(cfg))
            missing = [k for k in TAP_KEYS if k not in cfg]
            if missing:
                raise DistillerConfigError(
                    f'distill_losses.{name}: missing {missing} (the module '
                    f'paths whose outputs the loss compares)')
            taps = tuple(cfg.pop(k) for k in TAP_KEYS)
            cfg.setdefault('_scope_', 'mmkd_ext')
            losses[name] = MODELS.build(cfg)
            needs_label = 'gt_label' in inspect.signature(
                losses[name].forward).parameters
            if needs_label and not self.provides_labels:
                raise DistillerConfigError(
                    f'distill_losses.{name}: {type(losses[name]).__name__} '
                    f'needs gt_label, but {type(self).__name__} has no '
                    f'image-level labels to give it')
            self.loss_taps[name] = taps + (needs_label, )
        self.distill_losses = torch.nn.ModuleDict(losses)
        self.student_taps = Taps(
            self.student, [t[0] for t in self.loss_taps.values()], 'student',
            'distill_losses.*.student_tap')
        self.teacher_taps = Taps(
            self.teacher, [t[1] for t in self.loss_taps.values()], 'teacher',
            'distill_losses.*.teacher_tap')
        tapped_roots = {t[1].split('.')[0] for t in self.loss_taps.values()}
        # The teacher only needs extract_feat when every tap is inside it.
        self._teacher_features_only = tapped_roots <= {'backbone', 'neck'}

    def init_weights(self):
        # A teacher without checkpoint is initialised on its own first:
        # mmengine tracks init over named_parameters(), which leaves the
        # teacher out.
        if not self.teacher.is_init:
            self.teacher.init_weights()
        super().init_weights()
        self._copy_teacher_into_student()

    def _copy_teacher_into_student(self):
        teacher_state = self.teacher.state_dict()
        student_state = self.student.state_dict()
        for prefix in self.init_student_from_teacher:
            keys = [k for k in teacher_state if k.startswith(prefix + '.')]
            if not keys:
                raise DistillerConfigError(
                    f'init_student_from_teacher: the teacher has no weights '
                    f'under {prefix!r}')
            for key in keys:
                if key not in student_state or \
                        student_state[key].shape != teacher_state[key].shape:
                    shape = tuple(student_state[key].shape) \
                        if key in student_state else 'missing'
                    raise DistillerConfigError(
                        f'init_student_from_teacher: {key!r} is '
                        f'{tuple(teacher_state[key].shape)} in the teacher '
                        f'but {shape} in the student')
                student_state[key].copy_(teacher_state[key])

    # -- the teacher stays frozen -------------------------------------------
    def train(self, mode=True):
        """Set the student (and auxiliary modules) to ``mode``; the teacher
        stays in ``eval()`` always."""
        super().train(mode)
        self.teacher.eval()
        return self

    def named_parameters(self, prefix='', recurse=True,
                         remove_duplicate=True):
        """Parameters without the teacher's: the teacher is a submodule (so
        ``.to()``, ``.half()`` move it) but optimizers and DDP never see it.
        """
        for name, param in super().named_parameters(
                prefix, recurse, remove_duplicate):
            if not name[len(prefix):].lstrip('.').startswith('teacher.'):
                yield name, param

    @staticmethod
    def _drop_teacher_state(module, state_dict, prefix, local_metadata):
        """State-dict post hook: the teacher's weights come from
        ``teacher_ckpt``, never from the distiller's checkpoints."""
        for key in [k for k in state_dict if k.startswith(prefix + 'teacher.')]:
            del state_dict[key]

    @staticmethod
    def _keep_teacher_state(module, state_dict, prefix, *args):
        """Load-state-dict pre hook: a distiller state has no teacher keys,
        so the teacher keeps (reloads) its own weights."""
        for key, value in module.teacher.state_dict().items():
            state_dict.setdefault(prefix + 'teacher.' + key, value)

    def _loss_log_vars(self, name):
        """``<name>.<part>`` for each entry of the loss's ``log_vars`` (its
        parts and statistics, detached): logged, but not added to the
        total, since mmengine's ``parse_losses`` sums only keys that
        contain 'loss'."""
        log_vars = getattr(self.distill_losses[name], 'log_vars', {})
        if log_vars and 'loss' in name:
            raise DistillerConfigError(
                f"distill_losses.{name}: the name contains 'loss', so the "
                f"logged parts of the loss would be added to the total; "
                f"rename it")
        return {f'{name}.{part}': value.detach()
                for part, value in log_vars.items()}

    # -- forward ------------------------------------------------------------
    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        try:
            return self.student(inputs, data_samples, mode=mode)
        finally:
            self.student_taps.clear()

    def gt_labels(self, data_samples):
        """Image-level labels for losses with a ``gt_label`` argument."""
        raise NotImplementedError

    @property
    def provides_labels(self):
        return type(self).gt_labels is not BaseDistiller.gt_labels

    @torch.no_grad()
    def teacher_forward(self, inputs, data_samples):
        """Run the teacher (no_grad) so that its taps record; returns
        nothing."""
        if self._teacher_features_only:
            self.teacher.extract_feat(inputs)
        else:
            self.teacher(inputs, data_samples, mode='tensor')

    def loss(self, inputs, data_samples):
        """Student losses plus ``loss_<name>`` for each distillation loss."""
        try:
            self.teacher_forward(inputs, data_samples)
            losses = self.student.loss(inputs, data_samples)
            labels = None
            if any(t[2] for t in self.loss_taps.values()):
                labels = self.gt_labels(data_samples)
            for name, (s_tap, t_tap, needs_label) in self.loss_taps.items():
                key = f'loss_{name}'
                if key in losses:
                    raise DistillerConfigError(
                        f'distill_losses.{name}: the student already logs '
                        f'{key!r}; rename the distillation loss')
                args = (self.student_taps.get(s_tap),
                        self.teacher_taps.get(t_tap))
                if needs_label:
                    args += (labels, )
                try:
                    value = self.distill_losses[name](*args)
                except DistillInputError as err:
                    raise DistillInputError(
                        f'distill_losses.{name} ({s_tap} -> {t_tap}): '
                        f'{err}') from None
                losses[key] = value * self.distill_loss_scales[name]
                losses.update(self._loss_log_vars(name))
        finally:
            self.student_taps.clear()
            self.teacher_taps.clear()
        return losses
