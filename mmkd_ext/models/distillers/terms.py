"""Distillation terms: one object per entry of ``distill_losses``.

A :class:`DistillTerm` is the loss module, the taps it reads, its scale (set
by ``DistillLossScheduleHook``; 1 otherwise) and a description for messages;
it turns the recorded taps into ``loss_<name>`` and the logged parts
``<name>.<part>``. :class:`DistillLosses` owns the loss modules (so that
optimizers, DDP and checkpoints see them as ``distill_losses.<name>``) and
computes every term in one forward, which a DDP wrapper around it needs.
"""
import copy
import inspect

import torch
import torch.nn as nn
from mmengine.config import ConfigDict

from mmkd_ext.models.losses.utils import DistillInputError
from mmkd_ext.registry import MODELS
from .errors import DistillerConfigError
from .taps import parse_tap, tap_name

# Keys of a ``distill_losses`` entry that are not arguments of the loss.
TAP_KEYS = ('student_tap', 'teacher_tap', 'extra_taps')
OWNERS = ('student', 'teacher')


def _tensors(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    return []


class DistillTerm:
    """One distillation term ``loss_<name>``.

    Args:
        name (str): its key in ``distill_losses``.
        cfg (dict): the loss config plus ``student_tap``, ``teacher_tap``
            and optional ``extra_taps`` (see ``BaseDistiller``).

    Raises:
        DistillerConfigError: a missing tap, or a loss whose ``forward``
            cannot be called with the configured taps; the message names
            ``distill_losses.<name>``.
    """

    def __init__(self, name, cfg):
        self.name = name
        self.key = f'distill_losses.{name}'
        cfg = ConfigDict(copy.deepcopy(cfg))
        missing = [k for k in TAP_KEYS[:2] if k not in cfg]
        if missing:
            raise DistillerConfigError(
                f'{self.key}: missing {missing} (the module paths whose '
                f'outputs the loss compares)')
        self.student_tap = parse_tap(cfg.pop('student_tap'),
                                     f'{self.key}.student_tap')
        self.teacher_tap = parse_tap(cfg.pop('teacher_tap'),
                                     f'{self.key}.teacher_tap')
        self.extra = {}
        for arg, spec in (cfg.pop('extra_taps', None) or {}).items():
            spec = dict(spec)
            owner = spec.pop('model', None)
            if owner not in OWNERS:
                raise DistillerConfigError(
                    f"{self.key}.extra_taps.{arg}: give model='student' or "
                    f"'teacher' and the tap's path, got {owner!r}")
            self.extra[arg] = (owner, parse_tap(
                spec, f'{self.key}.extra_taps.{arg}'))
        cfg.setdefault('_scope_', 'mmkd_ext')
        self.loss = MODELS.build(cfg)
        self.takes_levels = getattr(self.loss, 'takes_levels', False)
        self.takes_data_samples = 'data_samples' in inspect.signature(
            self.loss.forward).parameters
        self._check_signature()
        self.description = \
            f'{tap_name(self.student_tap)} -> {tap_name(self.teacher_tap)}'
        self.scale = 1.0

    def _check_signature(self):
        kwargs = dict.fromkeys(self.extra)
        if self.takes_data_samples:
            kwargs['data_samples'] = None
        signature = inspect.signature(self.loss.forward)
        try:
            signature.bind(None, None, **kwargs)
        except TypeError as err:
            raise DistillerConfigError(
                f'{self.key}: {type(self.loss).__name__}.forward{signature} '
                f'cannot be called with the student tap, the teacher tap'
                f'{"".join(", " + k for k in kwargs)} ({err}); see the loss '
                f'contract in BaseDistiller') from None

    @property
    def active(self):
        """Whether the term counts in this iteration (its scale is not
        0)."""
        return self.scale != 0

    def taps(self, owner):
        """The ``(path, io)`` taps of ``owner`` that the term reads."""
        taps = [('student', self.student_tap), ('teacher', self.teacher_tap),
                *self.extra.values()]
        return [tap for who, tap in taps if who == owner]

    def value(self, owner, tap, sources, need_grad):
        """The recorded value of ``tap`` of the ``owner`` model
        (``sources[owner]`` records it), checked against what the loss
        accepts: one value unless it takes levels, and with ``need_grad``
        a student value that carries the gradient."""
        calls = sources[owner].calls(tap)
        if calls > 1 and not self.takes_levels:
            loss = type(self.loss).__name__
            raise DistillInputError(
                f'{self.key}: the {owner} tap {tap_name(tap)!r} ran {calls} '
                f'times in one forward (a shared head runs once per level), '
                f'but {loss} takes one value; wrap it as LevelwiseLoss('
                f'level_loss=dict(type={loss!r}, ...), num_levels={calls}) '
                f'or tap a module that runs once')
        value = sources[owner].get(tap)
        if need_grad and owner == 'student' and not any(
                t.requires_grad for t in _tensors(value)):
            raise DistillInputError(
                f'{self.key}: the student tap {tap_name(tap)!r} recorded a '
                f'value without gradient, so this term would not train the '
                f'student. A module inside activation checkpointing '
                f'(with_cp=True) records without autograd: tap a module '
                f'outside the checkpointed block, or set with_cp=False; a '
                f'frozen module (frozen_stages) has no gradient either')
        return value

    def arguments(self, sources, data_samples, need_grad=False):
        """``(args, kwargs)`` of the loss from the recorded taps;
        ``sources`` maps ``'student'`` and ``'teacher'`` to what records
        their taps. With ``need_grad`` (a training step), a student tap
        without gradient is an error."""
        args = tuple(self.value(owner, tap, sources, need_grad)
                     for owner, tap in (('student', self.student_tap),
                                        ('teacher', self.teacher_tap)))
        kwargs = {arg: self.value(owner, tap, sources, need_grad)
                  for arg, (owner, tap) in self.extra.items()}
        if self.takes_data_samples:
            kwargs['data_samples'] = data_samples
        return args, kwargs

    def __call__(self, sources, data_samples, zero):
        """``{'loss_<name>': scaled loss, '<name>.<part>': part}``.

        An inactive term (scale 0) reads no tap and gives ``zero`` plus 0
        times each of the loss's trainable parameters: under
        DistributedDataParallel (``find_unused_parameters=False``) every
        trainable parameter must get a gradient in every iteration.
        """
        key = f'loss_{self.name}'
        if not self.active:
            return {key: sum((p.sum() * 0 for p in self.loss.parameters()
                              if p.requires_grad), zero)}
        args, kwargs = self.arguments(sources, data_samples,
                                      torch.is_grad_enabled())
        try:
            out = self.loss(*args, **kwargs)
        except DistillInputError as err:
            if str(err).startswith('distill_losses.'):
                raise
            raise DistillInputError(
                f'{self.key} ({self.description}): {err}') from None
        value, parts = self.split(out)
        return {key: value * self.scale, **parts}

    def split(self, out):
        """``(loss, {'<name>.<part>': detached part})`` of the loss's output
        (a tensor, or a dict with ``loss`` and parts)."""
        if not isinstance(out, dict):
            return out, {}
        if 'loss' not in out:
            raise DistillerConfigError(
                f"{self.key}: {type(self.loss).__name__} returned a dict "
                f"without 'loss' (keys {sorted(out)})")
        if len(out) > 1 and 'loss' in self.name:
            raise DistillerConfigError(
                f"{self.key}: the name contains 'loss', so the logged parts "
                f"of the loss would be added to the total; rename it")
        return out['loss'], {f'{self.name}.{part}': v.detach()
                             for part, v in out.items() if part != 'loss'}


class DistillLosses(nn.ModuleDict):
    """The loss modules by name, and their terms (``terms``)."""

    def __init__(self, distill_losses):
        if not distill_losses:
            raise DistillerConfigError(
                'distill_losses is empty: give at least one loss')
        terms = {name: DistillTerm(name, cfg)
                 for name, cfg in distill_losses.items()}
        super().__init__({name: term.loss for name, term in terms.items()})
        self.terms = terms

    def taps(self, owner):
        """Every tap of ``owner`` that some term reads."""
        return [tap for term in self.terms.values()
                for tap in term.taps(owner)]

    def forward(self, sources, data_samples, zero):
        """Every term's logged values (see :meth:`DistillTerm.__call__`),
        in one dict."""
        losses = {}
        for term in self.terms.values():
            losses.update(term(sources, data_samples, zero))
        return losses
