"""Taps: named module outputs recorded with forward hooks.

A tap is a module path such as ``'neck'``, ``'backbone.layer3'`` or
``'head.fc'``. The hooks are registered once and the records are cleared
after every step; a record is a tensor or a tuple/list of tensors (the FPN
levels of ``'neck'``), exactly what the module returned.
"""
import difflib
import functools

import torch


class TapError(KeyError):
    """A tap path that does not name a module, or a record that is missing
    or was overwritten in place."""

    def __str__(self):
        return str(self.args[0])


def _tensors(output):
    if isinstance(output, torch.Tensor):
        return [output]
    if isinstance(output, (tuple, list)):
        return [t for t in output if isinstance(t, torch.Tensor)]
    return []


class Taps:
    """Record the outputs of ``paths`` in ``model``.

    Args:
        model (nn.Module): the model to tap.
        paths (Iterable[str]): module paths, as in ``model.named_modules()``.
        owner (str): the name of ``model`` in messages (``'student'``).
        config_key (str): the config key the paths came from, for messages.

    Raises:
        TapError: a path names no module; the message lists close matches.
    """

    def __init__(self, model, paths, owner, config_key):
        self.owner = owner
        self.records = {}
        modules = dict(model.named_modules())
        self._handles = []
        for path in dict.fromkeys(paths):
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
                functools.partial(self._record, path)))

    def _record(self, path, module, inputs, output):
        versions = [t._version for t in _tensors(output)]
        self.records[path] = (output, versions)

    def get(self, path):
        """The output of ``path`` in the last forward.

        Raises:
            TapError: ``path`` did not run, or its output was modified in
                place after it was recorded (for example by a following
                ``ReLU(inplace=True)``), so the record is not the output.
        """
        if path not in self.records:
            raise TapError(
                f'the {self.owner} module {path!r} did not run in this '
                f'forward; tap a module on the forward path')
        output, versions = self.records[path]
        if [t._version for t in _tensors(output)] != versions:
            raise TapError(
                f'the output of {self.owner} module {path!r} was modified in '
                f'place after it was recorded (e.g. by a following '
                f'ReLU(inplace=True)); tap the module that applies the '
                f'in-place op instead, or make that op out of place')
        return output

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
