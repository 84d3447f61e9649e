"""Taps: named module outputs (or inputs) recorded with forward hooks.

A tap is a module path such as ``'neck'``, ``'backbone.layer3'`` or
``'head.fc'``, written as the path alone (the module's output) or as
``dict(path='bbox_head.retina_cls', io='input')`` (its input). The hooks are
registered once and the records are cleared after every step.

A module that runs k times in one forward (a shared dense head runs once per
FPN level) is recorded k times: its tap value is the list of the k values in
call order. A module that runs once gives its value as it is: a tensor, or
the tuple it returned (the FPN levels of ``'neck'``). A module's input is its
one argument, given by position or by keyword (several positional arguments
give their tuple).

The hooks follow the modules: before each step the taps look up their paths
again and move their hooks to any module that replaced the hooked one (as
mmengine's ``revert_sync_batchnorm`` replaces SyncBatchNorm layers when
training starts on one process).
"""
import copy
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
        self.config_key = config_key
        self.model = model
        self.records = {}
        self.taps = list(dict.fromkeys(taps))
        self._hooked = {}  # tap -> (module, handle)
        modules = dict(model.named_modules())
        for path, _ in self.taps:
            if path not in modules:
                close = difflib.get_close_matches(path, modules, n=5,
                                                  cutoff=0.5)
                raise TapError(
                    f'{config_key}: the {owner} has no module {path!r}. '
                    f'Close matches: {close or "none"}; module paths are '
                    f'those of {owner}.named_modules().')
        self.attach()

    def attach(self):
        """Hook the module now at each tap's path, where it is not the
        hooked one (any module replaced since is hooked anew)."""
        for tap in self.taps:
            module = self.model.get_submodule(tap[0])
            hooked, handle = self._hooked.get(tap, (None, None))
            if module is hooked:
                continue
            if handle is not None:
                handle.remove()
            # A partial of a bound method (not a closure), so that a deep
            # copy of the model records into the copy's Taps.
            self._hooked[tap] = (module, module.register_forward_hook(
                functools.partial(self._record, tap), with_kwargs=True))

    def _record(self, tap, module, args, kwargs, output):
        if tap[1] == 'input':
            output = self._input(tap, args, kwargs)
        versions = [t._version for t in _tensors(output)]
        self.records.setdefault(tap, []).append((output, versions))

    def _input(self, tap, args, kwargs):
        if args and not kwargs:
            return args[0] if len(args) == 1 else args
        if len(kwargs) == 1 and not args:
            return next(iter(kwargs.values()))
        raise TapError(
            f'{self.config_key}: the input tap of {self.owner} module '
            f'{tap[0]!r} records the module\'s one argument, but it was '
            f'called with {len(args)} positional and keyword arguments '
            f'{sorted(kwargs)}; tap a module called with one argument, or '
            f'its output')

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
        """Forget the records, and hook any module that replaced a hooked
        one."""
        self.records.clear()
        self.attach()

    def remove(self):
        for _, handle in self._hooked.values():
            if handle is not None:
                handle.remove()
        self._hooked = {}
        self.clear()

    def __deepcopy__(self, memo):
        # The copied modules hold copies of the hooks, bound to the clone
        # made here; the clone holds no handles, so deleting it never
        # removes the original hooks, and it hooks anew only modules that
        # replace the copied ones.
        clone = Taps.__new__(Taps)
        memo[id(self)] = clone
        clone.owner, clone.config_key, clone.taps = \
            self.owner, self.config_key, self.taps
        clone.records = {}
        clone.model = copy.deepcopy(self.model, memo)
        clone._hooked = {tap: (copy.deepcopy(module, memo), None)
                         for tap, (module, _) in self._hooked.items()}
        return clone

    def __del__(self):
        self.remove()
