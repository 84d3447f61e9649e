"""The distiller: a plain OpenMMLab model that owns a student, a frozen
teacher, taps on both and a dict of distillation losses."""
import contextlib
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
from mmkd_ext.utils.compat import (register_load_state_dict_pre_hook,
                                   register_state_dict_post_hook)
from mmkd_ext.utils.config import (ConfigError, import_task_library,
                                   load_config)
from .taps import CachedTeacherTaps, Taps, parse_tap, tap_name
from .teacher_inputs import TeacherInputs

# Keys of a ``distill_losses`` entry that are not arguments of the loss.
TAP_KEYS = ('student_tap', 'teacher_tap', 'extra_taps')
OWNERS = ('student', 'teacher')
# teacher='cached': the teacher's outputs come with the data samples
CACHED = 'cached'


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


def unwrap(module):
    """``module`` without a DistributedDataParallel wrapper
    (``MMSeparateDistributedDataParallel`` wraps the distiller's
    submodules one by one)."""
    return module.module if isinstance(
        module, torch.nn.parallel.DistributedDataParallel) else module


class DistillLosses(torch.nn.ModuleDict):
    """The distillation losses by name; one ``forward`` computes several,
    so that a DDP wrapper around them (with trainable loss parameters) sees
    one forward per step."""

    def __init__(self, losses, descriptions):
        super().__init__(losses)
        self.descriptions = descriptions

    def forward(self, calls):
        """``{name: (args, kwargs)}`` -> ``{name: loss output}``; input
        errors of a loss are prefixed with its key and taps."""
        outputs = {}
        for name, (args, kwargs) in calls.items():
            try:
                outputs[name] = self[name](*args, **kwargs)
            except DistillInputError as err:
                if str(err).startswith('distill_losses.'):
                    raise
                raise DistillInputError(
                    f'distill_losses.{name} ({self.descriptions[name]}): '
                    f'{err}') from None
        return outputs


class LossSpec:
    """What one distillation loss is called with: the taps of its two
    positional arguments, the taps it takes by keyword, and whether it
    takes ``data_samples``."""

    def __init__(self, name, cfg, loss):
        key = f'distill_losses.{name}'
        missing = [k for k in TAP_KEYS[:2] if k not in cfg]
        if missing:
            raise DistillerConfigError(
                f'{key}: missing {missing} (the module paths whose outputs '
                f'the loss compares)')
        self.student = ('student', parse_tap(cfg.student_tap,
                                             f'{key}.student_tap'))
        self.teacher = ('teacher', parse_tap(cfg.teacher_tap,
                                             f'{key}.teacher_tap'))
        self.extra = {}
        for arg, spec in (cfg.get('extra_taps') or {}).items():
            spec = dict(spec)
            owner = spec.pop('model', None)
            if owner not in OWNERS:
                raise DistillerConfigError(
                    f"{key}.extra_taps.{arg}: give model='student' or "
                    f"'teacher' and the tap's path, got {owner!r}")
            self.extra[arg] = (owner, parse_tap(spec,
                                                f'{key}.extra_taps.{arg}'))
        params = inspect.signature(loss.forward).parameters
        self.takes_data_samples = 'data_samples' in params
        self.takes_levels = getattr(loss, 'takes_levels', False)
        kwargs = dict.fromkeys(self.extra)
        if self.takes_data_samples:
            kwargs['data_samples'] = None
        try:
            inspect.signature(loss.forward).bind(None, None, **kwargs)
        except TypeError as err:
            raise DistillerConfigError(
                f'{key}: {type(loss).__name__}.forward{inspect.signature(loss.forward)} '
                f'cannot be called with the student tap, the teacher tap'
                f'{"".join(", " + k for k in kwargs)} ({err}); see the loss '
                f'contract in BaseDistiller') from None

    def taps(self):
        """``(owner, (path, io))`` of every tap the loss reads."""
        return [self.student, self.teacher, *self.extra.values()]


class BaseDistiller(BaseModel):
    """Distil a frozen teacher into a student, both models of one OpenMMLab
    task library (see ``task_scope`` of the subclasses).

    A training step (``mode='loss'``)::

        teacher taps  <- teacher forward     (no_grad, eval, only what is
                         tapped; skipped when every loss weight is 0)
        student taps  <- student.loss(inputs, data_samples)   (its own losses)
        loss_<name>   =  distill_losses[name](student tap, teacher tap, ...)

    ``predict`` and ``tensor`` modes run the student alone, so ``tools/test.py``
    on a distiller config evaluates the student with its own metrics.

    **The loss contract.** Each entry of ``distill_losses`` is a loss config
    plus the taps it reads::

        name=dict(type='MyLoss', **loss_args,
                  student_tap=TAP, teacher_tap=TAP,
                  extra_taps=dict(arg=dict(model='student' | 'teacher',
                                           path=..., io=...)))  # optional

    where a ``TAP`` is a module path (``'neck'``: the module's output) or
    ``dict(path='bbox_head.retina_cls', io='input')``. The loss is called as::

        loss(student_value, teacher_value, **extra_tap_values
             [, data_samples=data_samples])

    * A tap value is what the module returned (a tensor, or a tuple such as
      the FPN levels of ``neck``); a module that ran k > 1 times in one
      forward (a shared dense head, once per FPN level) gives the list of
      its k values in call order. Only a loss whose class sets
      ``takes_levels = True`` (it accepts a sequence of levels:
      ``FeatureMSELoss``, ``LevelwiseLoss``, ...) may get such a list;
      otherwise the step fails naming the tap and k.
    * ``data_samples`` (the batch's data samples: labels, boxes, masks) is
      passed when ``forward`` has a parameter of that name.
    * The loss returns a scalar tensor, or a dict with the scalar ``loss``
      and named parts to log. The distiller logs ``loss_<name>`` (added to
      the total) and each part as ``<name>.<part>`` (logged only).

    The call is checked against ``forward``'s signature when the distiller
    is built; a missing or unexpected argument is an error naming
    ``distill_losses.<name>``.

    Args:
        student (dict): model config of the student (usually the base
            config's ``model``).
        teacher (dict | str): model config of the teacher, or the path of a
            config whose ``model`` is the teacher (``'mmpretrain::...'``
            paths allowed), or ``'cached'``: no teacher is built, and every
            teacher tap is the teacher's logits that
            ``mmkd_ext.ReplayedAugment(teacher_cache=...)`` read from a
            cache written by ``tools/cache_teacher.py``
            (``data_samples[i].teacher_logits``). Its own
            ``data_preprocessor`` (in the model dict, or the config's
            top-level one) is honoured: when its
            normalisation or channel order differs from the student's, the
            teacher's inputs are re-normalised from the student's batch (a
            different padding is refused). Without one, the teacher takes
            the student's batch as it is.
        distill_losses (dict): ``name -> loss config`` (see above).
        teacher_ckpt (str, optional): checkpoint of the teacher: anything
            ``load_from`` accepts (local path, ``https://`` model-zoo URL,
            ``open-mmlab://``, ``torchvision://``), loaded weights-only when
            training starts (``init_weights``), not when the model is built,
            so ``tools/test.py`` on a distiller checkpoint never reads it.
            Without it the teacher keeps its random initialisation (a
            warning says so).
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
        cached = teacher == CACHED
        if cached and (teacher_ckpt or init_student_from_teacher):
            raise DistillerConfigError(
                "teacher='cached' has no teacher model: remove teacher_ckpt "
                "and init_student_from_teacher")
        if isinstance(teacher, str) and not cached:
            teacher = load_model_config(teacher, 'teacher')
        with self._in_task_scope():
            self.student = MODELS.build(student)
            self.teacher = None if cached else \
                MODELS.build(teacher)
        self.data_preprocessor = self.student.data_preprocessor
        # a teacher config without a data_preprocessor of its own takes the
        # student's batch as it is
        self.teacher_inputs = TeacherInputs(
            self.data_preprocessor, self.teacher.data_preprocessor
            if not cached
            and teacher.get('data_preprocessor') is not None else None)
        self.teacher_ckpt = teacher_ckpt
        if self.teacher is not None:
            self.teacher.requires_grad_(False)
            self.teacher.eval()
        # hooks, not overrides: mmengine's checkpoint code walks modules
        # itself and calls only these hooks
        register_state_dict_post_hook(self, self._drop_teacher_state)
        register_load_state_dict_pre_hook(self, self._keep_teacher_state)
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
        import_task_library(self.task_scope,
                            f'model.type={type(self).__name__!r}')
        return DefaultScope.overwrite_default_scope(self.task_scope)

    def _load_teacher(self):
        """Load ``teacher_ckpt`` (anything ``load_from`` accepts: a local
        path, ``https://``, ``open-mmlab://``, ...; URLs are downloaded once
        into the torch hub cache) into the teacher, weights-only."""
        ckpt = self.teacher_ckpt
        if '://' not in ckpt and not osp.isfile(osp.expanduser(ckpt)):
            raise FileNotFoundError(
                f'teacher_ckpt: checkpoint {ckpt!r} does not exist')
        try:
            load_checkpoint(self.teacher, ckpt, map_location='cpu',
                            strict=True, logger='current')
        except RuntimeError as err:  # keys or shapes of another model
            details = '; '.join(textwrap.shorten(line, 300)
                                for line in str(err).splitlines() if line)
            raise DistillerConfigError(
                f'teacher_ckpt: {ckpt!r} does not match the teacher '
                f'config ({type(self.teacher).__name__}): {details}') from None
        except (OSError, KeyError) as err:  # unreachable URL, unknown name
            raise DistillerConfigError(
                f'teacher_ckpt: {ckpt!r} cannot be read or downloaded '
                f'({type(err).__name__}: {err})') from err
        # keep BaseModule.init_weights() from re-initialising it
        self.teacher._is_init = True

    def _build_losses(self, distill_losses):
        if not distill_losses:
            raise DistillerConfigError(
                'distill_losses is empty: give at least one loss')
        self.loss_specs = {}
        losses = {}
        for name, cfg in distill_losses.items():
            cfg = ConfigDict(copy.deepcopy(cfg))
            taps = {k: cfg.pop(k) for k in TAP_KEYS if k in cfg}
            cfg.setdefault('_scope_', 'mmkd_ext')
            losses[name] = MODELS.build(cfg)
            self.loss_specs[name] = LossSpec(name, ConfigDict(taps),
                                             losses[name])
        self.distill_losses = DistillLosses(losses, {
            name: f'{tap_name(spec.student[1])} -> {tap_name(spec.teacher[1])}'
            for name, spec in self.loss_specs.items()})
        taps = {owner: [tap for spec in self.loss_specs.values()
                        for who, tap in spec.taps() if who == owner]
                for owner in OWNERS}
        self.student_taps = Taps(self.student, taps['student'], 'student',
                                 'distill_losses.*.student_tap')
        self.teacher_taps = CachedTeacherTaps() if self.cached_teacher else \
            Taps(self.teacher, taps['teacher'], 'teacher',
                 'distill_losses.*.teacher_tap')
        tapped_roots = {path.split('.')[0] for path, _ in taps['teacher']}
        # The teacher only needs extract_feat when every tap is inside it.
        self._teacher_features_only = tapped_roots <= {'backbone', 'neck'}

    def init_weights(self):
        """Load the teacher from ``teacher_ckpt`` (or, without one,
        initialise it on its own: mmengine tracks init over
        ``named_parameters()``, which leaves the teacher out), then the
        student and the auxiliary modules. The runner calls this when
        training starts, never when testing: evaluating a distiller
        checkpoint does not read ``teacher_ckpt``."""
        if self.teacher_ckpt is not None:
            self._load_teacher()
        elif self.teacher is not None and not self.teacher.is_init:
            print_log(
                'teacher_ckpt is not set: the teacher keeps its random '
                'initialisation', logger='current', level=logging.WARNING)
            self.teacher.init_weights()
        super().init_weights()
        self._copy_teacher_into_student()

    def _copy_teacher_into_student(self):
        if not self.init_student_from_teacher:
            return
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
    @property
    def cached_teacher(self):
        """True with ``teacher='cached'``: no teacher model was built."""
        return self.teacher is None

    def train(self, mode=True):
        """Set the student (and auxiliary modules) to ``mode``; the teacher
        stays in ``eval()`` always."""
        super().train(mode)
        if self.teacher is not None:
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
        if module.teacher is None:
            return
        for key, value in module.teacher.state_dict().items():
            state_dict.setdefault(prefix + 'teacher.' + key, value)

    # -- forward ------------------------------------------------------------
    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        with self.fresh_taps():
            return self.student(inputs, data_samples, mode=mode)

    @torch.no_grad()
    def teacher_forward(self, inputs, data_samples):
        """Run the teacher (no_grad) on its inputs (see ``teacher``) so
        that its taps record (or, cached, give the batch's cached logits);
        returns nothing."""
        if self.cached_teacher:
            self.teacher_taps.record(data_samples)
            return
        inputs = self.teacher_inputs(inputs, data_samples)
        if self._teacher_features_only:
            self.teacher.extract_feat(inputs)
        else:
            self.teacher(inputs, data_samples, mode='tensor')

    @contextlib.contextmanager
    def recorded_taps(self, inputs, data_samples):
        """Within the context, the taps of one teacher forward and one
        student forward (``tensor`` mode, no_grad, the student in eval
        mode so that its BN statistics do not move) on a preprocessed
        batch; read them with :meth:`loss_arguments`."""
        training = self.student.training
        with self.fresh_taps():
            try:
                self.teacher_forward(inputs, data_samples)
                self.student.eval()
                with torch.no_grad():
                    self.student(inputs, data_samples, mode='tensor')
                yield
            finally:
                self.student.train(training)

    @contextlib.contextmanager
    def fresh_taps(self):
        """Taps empty on entry (a direct call of the student or teacher
        may have left records) and on exit."""
        for taps in (self.student_taps, self.teacher_taps):
            taps.clear()
        try:
            yield
        finally:
            for taps in (self.student_taps, self.teacher_taps):
                taps.clear()

    def active_losses(self):
        """Names of the distillation losses whose weight is not 0 in this
        iteration (``DistillLossScheduleHook`` sets the weights)."""
        return [name for name in self.loss_specs
                if self.distill_loss_scales[name] != 0]

    def loss(self, inputs, data_samples):
        """Student losses plus ``loss_<name>`` for each distillation loss
        (0 while its weight is 0; the teacher does not run when every
        weight is 0) and the logged parts ``<name>.<part>``."""
        with self.fresh_taps():
            active = self.active_losses()
            if active:
                self.teacher_forward(inputs, data_samples)
            # through forward, so that a DDP wrapper of the student syncs
            losses = self.student(inputs, data_samples, mode='loss')
            outputs = self.distill_losses(
                {name: self.loss_arguments(name, data_samples)
                 for name in active}) if active else {}
        for name in self.loss_specs:
            key = f'loss_{name}'
            if key in losses:
                raise DistillerConfigError(
                    f'distill_losses.{name}: the student already logs '
                    f'{key!r}; rename the distillation loss')
            if name not in active:
                losses[key] = inputs.new_zeros(())
                continue
            value, parts = self.split_output(name, outputs[name])
            losses[key] = value * self.distill_loss_scales[name]
            losses.update(parts)
        return losses

    def tap_value(self, owner, tap, loss_name):
        """The recorded value of ``tap`` of the ``owner`` model, checked
        against what the loss ``loss_name`` accepts."""
        taps = self.student_taps if owner == 'student' else self.teacher_taps
        calls = taps.calls(tap)
        if calls > 1 and not self.loss_specs[loss_name].takes_levels:
            loss = type(unwrap(self.distill_losses)[loss_name]).__name__
            raise DistillInputError(
                f'distill_losses.{loss_name}: the {owner} tap '
                f'{tap_name(tap)!r} ran {calls} times in one forward (a '
                f'shared head runs once per level), but {loss} takes one '
                f'value; wrap it as LevelwiseLoss(level_loss=dict(type='
                f'{loss!r}, ...), num_levels={calls}) or tap a module that '
                f'runs once')
        return taps.get(tap)

    def loss_arguments(self, name, data_samples):
        """``(args, kwargs)`` of the loss ``name`` from the recorded taps."""
        spec = self.loss_specs[name]
        args = tuple(self.tap_value(owner, tap, name)
                     for owner, tap in (spec.student, spec.teacher))
        kwargs = {arg: self.tap_value(owner, tap, name)
                  for arg, (owner, tap) in spec.extra.items()}
        if spec.takes_data_samples:
            kwargs['data_samples'] = data_samples
        return args, kwargs

    def split_output(self, name, value):
        """``(loss, {'<name>.<part>': detached part})`` of the output of the
        loss ``name`` (a tensor, or a dict with ``loss`` and parts)."""
        if not isinstance(value, dict):
            return value, {}
        if 'loss' not in value:
            loss = type(unwrap(self.distill_losses)[name]).__name__
            raise DistillerConfigError(
                f"distill_losses.{name}: {loss} returned a dict without "
                f"'loss' (keys {sorted(value)})")
        if len(value) > 1 and 'loss' in name:
            raise DistillerConfigError(
                f"distill_losses.{name}: the name contains 'loss', so the "
                f"logged parts of the loss would be added to the total; "
                f"rename it")
        return value['loss'], {f'{name}.{part}': v.detach()
                               for part, v in value.items() if part != 'loss'}
