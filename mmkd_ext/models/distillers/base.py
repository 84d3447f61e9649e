"""The distiller: a plain OpenMMLab model that owns a student, a teacher
(live or cached, ``teachers.py``), taps on both and the distillation terms
(``terms.py``)."""
import contextlib
import copy

import torch
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope

from mmkd_ext.registry import MODELS
from mmkd_ext.utils.compat import (register_load_state_dict_pre_hook,
                                   register_state_dict_post_hook)
from mmkd_ext.utils.config import (ConfigError, import_task_library,
                                   load_config)
from .errors import DistillerConfigError
from .taps import Taps
from .teacher_inputs import TeacherInputs
from .teachers import CachedTeacher, LiveTeacher
from .terms import DistillLosses

# teacher='cached': the teacher's outputs come with the data samples
CACHED = 'cached'


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


class BaseDistiller(BaseModel):
    """Distil a frozen teacher into a student, both models of one OpenMMLab
    task library (see ``task_scope`` of the subclasses).

    A training step (``mode='loss'``, :meth:`loss`)::

        teacher.record(inputs)   live: a frozen forward (no_grad, eval, only
                                 what is tapped); cached: the batch's soft
                                 labels; skipped when no term is active
        student taps  <- student.loss(inputs, data_samples)  (its own losses)
        loss_<name>   =  scale_<name> * loss_module(student tap, teacher tap,
                                                    ...)      for each term

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
    ``distill_losses.<name>``. While training, a student tap must carry the
    gradient (an error names it otherwise, e.g. inside activation
    checkpointing). A term whose scale is 0 (``DistillLossScheduleHook``)
    reads nothing and logs 0 plus 0 times its loss's parameters, which keeps
    DistributedDataParallel (``find_unused_parameters=False``) working.

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

    # HARD runs the teacher on the images its augmentor makes
    needs_live_teacher = False

    def __init__(self, student, teacher, distill_losses, teacher_ckpt=None,
                 init_student_from_teacher=None, data_preprocessor=None,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        student = copy.deepcopy(student)
        if data_preprocessor is not None:
            student.setdefault('data_preprocessor', data_preprocessor)
        with self._in_task_scope():
            self.student = MODELS.build(student)
        self.data_preprocessor = self.student.data_preprocessor
        # built in this order (student, teacher, losses), as before the
        # terms were objects, so that seeded runs draw the same weights
        teacher, teacher_inputs = self._build_teacher_model(
            teacher, teacher_ckpt, init_student_from_teacher)
        losses = DistillLosses(distill_losses)
        self.teacher = CachedTeacher() if teacher is None else LiveTeacher(
            teacher, teacher_ckpt, teacher_inputs, losses.taps('teacher'))
        self.distill_losses = losses
        self.student_taps = Taps(self.student, losses.taps('student'),
                                 'student', 'distill_losses.*.student_tap')
        self.init_student_from_teacher = list(init_student_from_teacher or [])
        # hooks, not overrides: mmengine's checkpoint code walks modules
        # itself and calls only these hooks
        register_state_dict_post_hook(self, self._drop_teacher_state)
        register_load_state_dict_pre_hook(self, self._keep_teacher_state)

    # -- building -----------------------------------------------------------
    def _in_task_scope(self):
        if self.task_scope is None:
            raise NotImplementedError(
                f'{type(self).__name__} must set task_scope')
        import_task_library(self.task_scope,
                            f'model.type={type(self).__name__!r}')
        return DefaultScope.overwrite_default_scope(self.task_scope)

    def _build_teacher_model(self, teacher, teacher_ckpt,
                             init_student_from_teacher):
        """The teacher model of a model config (or a config path) and its
        ``TeacherInputs``; ``(None, None)`` for ``teacher='cached'``."""
        if teacher == CACHED:
            if self.needs_live_teacher:
                raise DistillerConfigError(
                    f"teacher='cached': {type(self).__name__} runs the "
                    f"teacher on images it makes while training, so it "
                    f"needs a live teacher (a model config and "
                    f"teacher_ckpt)")
            if teacher_ckpt or init_student_from_teacher:
                raise DistillerConfigError(
                    "teacher='cached' has no teacher model: remove "
                    "teacher_ckpt and init_student_from_teacher")
            return None, None
        if isinstance(teacher, str):
            teacher = load_model_config(teacher, 'teacher')
        with self._in_task_scope():
            model = MODELS.build(teacher)
        # a teacher config without a data_preprocessor of its own takes the
        # student's batch as it is
        return model, TeacherInputs(
            self.data_preprocessor, model.data_preprocessor
            if teacher.get('data_preprocessor') is not None else None)

    def init_weights(self):
        """Load the teacher from ``teacher_ckpt`` (or, without one,
        initialise it on its own: mmengine tracks init over
        ``named_parameters()``, which leaves the teacher out), then the
        student and the auxiliary modules. The runner calls this when
        training starts, never when testing: evaluating a distiller
        checkpoint does not read ``teacher_ckpt``."""
        self.teacher.init_weights()
        super().init_weights()
        self._copy_teacher_into_student()

    def _copy_teacher_into_student(self):
        if not self.init_student_from_teacher:
            return
        teacher_state = self.teacher.model.state_dict()
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

    # -- the teacher stays out of training ----------------------------------
    @property
    def terms(self):
        """The distillation terms by name (their ``scale`` is what
        ``DistillLossScheduleHook`` sets)."""
        return unwrap(self.distill_losses).terms

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
        for key in [k for k in state_dict
                    if k.startswith(prefix + 'teacher.')]:
            del state_dict[key]

    @staticmethod
    def _keep_teacher_state(module, state_dict, prefix, *args):
        """Load-state-dict pre hook: a distiller state has no teacher keys,
        so the teacher keeps (reloads) its own weights."""
        for key, value in module.teacher.state_dict().items():
            state_dict.setdefault(prefix + 'teacher.' + key, value)

    # -- forward ------------------------------------------------------------
    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        with self.fresh_taps():
            return self.student(inputs, data_samples, mode=mode)

    def loss(self, inputs, data_samples):
        """The student's losses, then ``loss_<name>`` and the logged parts
        ``<name>.<part>`` of each term; the teacher runs only when some term
        is active."""
        with self.fresh_taps():
            if any(term.active for term in self.terms.values()):
                self.teacher.record(inputs, data_samples)
            # through forward, so that a DDP wrapper of the student syncs
            losses = self.student(inputs, data_samples, mode='loss')
            distill = self.distill_losses(self.tap_sources, data_samples,
                                          inputs.new_zeros(()))
        for key in losses.keys() & distill.keys():
            raise DistillerConfigError(
                f'distill_losses.{key[len("loss_"):]}: the student already '
                f'logs {key!r}; rename the distillation loss')
        return {**losses, **distill}

    @property
    def tap_sources(self):
        """What the terms read their taps from, by owner."""
        return dict(student=self.student_taps, teacher=self.teacher)

    @contextlib.contextmanager
    def fresh_taps(self):
        """Taps on the current modules and empty on entry (a direct call
        of the student or teacher may have left records), and empty on
        exit."""
        for taps in self.tap_sources.values():
            taps.clear()
        try:
            yield
        finally:
            for taps in self.tap_sources.values():
                taps.clear()

    @contextlib.contextmanager
    def recorded_taps(self, inputs, data_samples):
        """Within the context, the taps of one teacher forward and one
        student forward (``tensor`` mode, no_grad, the student in eval
        mode so that its BN statistics do not move) on a preprocessed
        batch; terms read them with ``arguments(distiller.tap_sources,
        data_samples)``."""
        training = self.student.training
        with self.fresh_taps():
            try:
                self.teacher.record(inputs, data_samples)
                self.student.eval()
                with torch.no_grad():
                    self.student(inputs, data_samples, mode='tensor')
                yield
            finally:
                self.student.train(training)
