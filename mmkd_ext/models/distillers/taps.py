"""Taps: named module outputs (or inputs) recorded with forward hooks.

A tap is a module path such as ``'neck'``, ``'backbone.layer3'`` or
``'head.fc'``, written as the path alone (the module's output) or as
``dict(path='bbox_head.retina_cls', io='input')`` (its input). The hooks are
registered once and the records are cleared after every step.

A module that runs k times in one forward (a shared dense head runs once per
FPN level) is recorded k times: its tap value is the list of the k values in
call order. A module that runs once gives its value as it is: a tensor, or
the tuple it returned (the FPN levels of ``'neck'``).
"""
import difflib
import functools

import torch

IO_KINDS = ('output', 'input')


class TapError(KeyError):
    """A tap path that does not name a module, or a record that is missing
    or was overwritten in place."""

    def __str__(self):
        return str(self.args[0])


def parse_tap(spec, config_key):
    """``(path, io)`` of a tap written as ``'path'`` or
    ``dict(path='path', io='output' | 'input')``.

    Raises:
        TapError: a malformed spec; the message names ``config_key``.
    """
    if isinstance(spec, str):
        return spec, 'output'
    if isinstance(spec, dict) and set(spec) <= {'path', 'io'} and \
            isinstance(spec.get('path'), str) and \
            spec.get('io', 'output') in IO_KINDS:
        return spec['path'], spec.get('io', 'output')
    raise TapError(
        f"{config_key}: a tap is a module path ('head.fc') or "
        f"dict(path='head.fc', io='output' or 'input'), got {spec!r}")


def tap_name(tap):
    """``'path'`` or ``'path (input)'`` of a ``(path, io)`` tap."""
    path, io = tap
    return path if io == 'output' else f'{path} ({io})'


def _tensors(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for t in value if isinstance(t, torch.Tensor)]
    return []


class Taps:
    """Record the outputs or inputs of ``taps`` in ``model``.

    Args:
        model (nn.Module): the model to tap.
        taps (Iterable[tuple[str, str]]): ``(path, io)`` pairs, the paths as
            in ``model.named_modules()``.
        owner (str): the name of ``model`` in messages (``'student'``).
        config_key (str): the config key the taps came from, for messages.

    Raises:
        TapError: a path names no module; the message lists close matches.
    """

    def __init__(self, model, taps, owner, config_key):
        self.owner = owner
        self.records = {}
        modules = dict(model.named_modules())
        self._handles = []
        for tap in dict.fromkeys(taps):
            path, io = tap
            if path not in modules:
                close = difflib.get_close_matches(path, modules, n=5,
                                                  cutoff=0.5)
                raise TapError(
                    f'{config_key}: the {owner} has no module {path!r}. '
                    f'Close matches: {close or "none"}; module paths are '
                    f'those of {owner}.named_modules().')
            # A partial of a bound method (not a closure), so that a deep
            # copy of the model records into the copy's Taps.
            self._handles.append(modules[path].register_forward_hook(
                functools.partial(self._record, tap)))

    def _record(self, tap, module, inputs, output):
        if tap[1] == 'input':
            output = inputs[0] if len(inputs) == 1 else inputs
        versions = [t._version for t in _tensors(output)]
        self.records.setdefault(tap, []).append((output, versions))

    def calls(self, tap):
        """How many times the tapped module ran in this forward."""
        return len(self.records.get(tap, ()))

    def get(self, tap):
        """The value of ``tap`` in this forward: the module's output (or
        input), or the list of them in call order when it ran several
        times.

        Raises:
            TapError: the module did not run, or a recorded tensor was
                modified in place after it was recorded (for example by a
                following ``ReLU(inplace=True)``), so it is not the value.
        """
        if tap not in self.records:
            raise TapError(
                f'the {self.owner} module {tap[0]!r} did not run in this '
                f'forward; tap a module on the forward path')
        for value, versions in self.records[tap]:
            if [t._version for t in _tensors(value)] != versions:
                raise TapError(
                    f'the {tap[1]} of {self.owner} module {tap[0]!r} was '
                    f'modified in place after it was recorded (e.g. by a '
                    f'following ReLU(inplace=True)); tap the module that '
                    f'applies the in-place op instead, or make that op out '
                    f'of place')
        values = [value for value, _ in self.records[tap]]
        return values[0] if len(values) == 1 else values

    def clear(self):
        self.records.clear()

    def remove(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self.clear()

    def __deepcopy__(self, memo):
        # The copied model's hooks are bound to the copy made here; the copy
        # holds no handles, so deleting it never removes the original hooks.
        copy = Taps.__new__(Taps)
        memo[id(self)] = copy
        copy.owner, copy.records, copy._handles = self.owner, {}, []
        return copy

    def __del__(self):
        self.remove()


class CachedTeacherTaps:
    """The teacher's taps when the teacher is a cache: every teacher tap is
    the teacher's logits (log-probabilities) on the batch's views, which
    ``mmkd_ext.ReplayedAugment(teacher_cache=...)`` put into the data
    samples (``teacher_logits``)."""

    def __init__(self):
        self.data_samples = None

    def record(self, data_samples):
        self.data_samples = data_samples

    def calls(self, tap):
        return 1

    def get(self, tap):
        samples = self.data_samples or []
        if not samples or 'teacher_logits' not in samples[0]:
            raise TapError(
                "teacher='cached': the data samples carry no teacher_logits;"
                " put mmkd_ext.ReplayedAugment(teacher_cache=...) in the "
                "training pipeline and 'teacher_logits' in the meta_keys of "
                "PackInputs")
        return torch.stack([torch.as_tensor(s.teacher_logits)
                            for s in samples])

    def clear(self):
        self.data_samples = None
