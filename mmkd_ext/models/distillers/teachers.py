"""The teacher of a distiller, one interface with two implementations.

* :class:`LiveTeacher`: a frozen model (built from its config, its weights
  read from ``teacher_ckpt`` when training starts, always in ``eval()``,
  never trained) that runs on its own inputs (``TeacherInputs``) and whose
  taps the distillation terms read.
* :class:`CachedTeacher` (``teacher='cached'``): no model; every teacher tap
  is the teacher's logits that ``mmkd_ext.ReplayedAugment(teacher_cache=...)``
  put into the data samples, stacked on the device of the student's inputs.

Both: ``is_live``; ``record(inputs, data_samples)`` (once per step, before
the terms read it); ``get(tap)``, ``calls(tap)``, ``clear()`` (the taps);
``init_weights()``.
"""
import logging
import os.path as osp
import textwrap

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.runner import load_checkpoint

from .errors import DistillerConfigError
from .taps import TapError, Taps


class LiveTeacher(nn.Module):
    """A frozen teacher model with taps.

    Args:
        model (nn.Module): the teacher, built.
        checkpoint (str | None): ``teacher_ckpt``: anything ``load_from``
            accepts (local path, ``https://`` model-zoo URL,
            ``open-mmlab://``, ``torchvision://``), read weights-only by
            :meth:`init_weights`; None keeps the random initialisation (a
            warning says so).
        inputs (TeacherInputs): the student's batch -> the teacher's.
        taps (list[tuple[str, str]]): the teacher taps the terms read.
    """
    is_live = True
    # BaseModule.init_weights of the distiller skips children that say they
    # are initialised: the distiller calls init_weights itself, first
    is_init = True

    def __init__(self, model, checkpoint, inputs, taps):
        super().__init__()
        self.model = model.requires_grad_(False).eval()
        self.checkpoint = checkpoint
        self.inputs = inputs
        self.taps = Taps(model, taps, 'teacher',
                         'distill_losses.*.teacher_tap')
        # extract_feat is enough when every tap is inside it
        self.features_only = {path.split('.')[0] for path, _ in taps} <= \
            {'backbone', 'neck'}

    def train(self, mode=True):
        """Always ``eval()``: BN statistics and dropout stay the
        teacher's, whatever mode the distiller is put in."""
        return super().train(False)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        """The teacher's forward on its inputs made from the student's
        (taps record); with autograd where enabled (HARD differentiates
        through the teacher with respect to the images)."""
        return self.model(self.inputs(inputs, data_samples), data_samples,
                          mode=mode)

    @torch.no_grad()
    def record(self, inputs, data_samples):
        """Run what the taps need (``extract_feat`` or the ``tensor``
        forward), without autograd, so that the taps record."""
        if self.features_only:
            self.model.extract_feat(self.inputs(inputs, data_samples))
        else:
            self(inputs, data_samples)

    def get(self, tap):
        return self.taps.get(tap)

    def calls(self, tap):
        return self.taps.calls(tap)

    def clear(self):
        self.taps.clear()

    def init_weights(self):
        """Load ``checkpoint`` (weights-only; URLs are downloaded once into
        the torch hub cache), or initialise the model on its own."""
        if self.checkpoint is None:
            if not self.model.is_init:
                print_log(
                    'teacher_ckpt is not set: the teacher keeps its random '
                    'initialisation', logger='current', level=logging.WARNING)
                self.model.init_weights()
            return
        ckpt = self.checkpoint
        if '://' not in ckpt and not osp.isfile(osp.expanduser(ckpt)):
            raise FileNotFoundError(
                f'teacher_ckpt: checkpoint {ckpt!r} does not exist')
        try:
            load_checkpoint(self.model, ckpt, map_location='cpu', strict=True,
                            logger='current')
        except RuntimeError as err:  # keys or shapes of another model
            details = '; '.join(textwrap.shorten(line, 300)
                                for line in str(err).splitlines() if line)
            raise DistillerConfigError(
                f'teacher_ckpt: {ckpt!r} does not match the teacher config '
                f'({type(self.model).__name__}): {details}') from None
        except (OSError, KeyError) as err:  # unreachable URL, unknown name
            raise DistillerConfigError(
                f'teacher_ckpt: {ckpt!r} cannot be read or downloaded '
                f'({type(err).__name__}: {err})') from err
        # keep BaseModule.init_weights() from re-initialising it
        self.model._is_init = True


class CachedTeacher(nn.Module):
    """The teacher's logits (log-probabilities) of the batch's views, read
    from the data samples (``teacher_logits``, written by
    ``tools/cache_teacher.py`` and put there by
    ``mmkd_ext.ReplayedAugment(teacher_cache=...)``); every teacher tap is
    them, as a (B, K) tensor on the device of the student's inputs."""
    is_live = False
    is_init = True

    def __init__(self):
        super().__init__()
        self.logits = None

    def record(self, inputs, data_samples):
        samples = data_samples or []
        if not samples or 'teacher_logits' not in samples[0]:
            raise TapError(
                "teacher='cached': the data samples carry no teacher_logits;"
                " put mmkd_ext.ReplayedAugment(teacher_cache=...) in the "
                "training pipeline and 'teacher_logits' in the meta_keys of "
                "PackInputs")
        # metainfo stays where the loader put it (BaseDataElement.to moves
        # data fields only): the logits move to the student's device here
        self.logits = torch.stack([torch.as_tensor(s.teacher_logits)
                                   for s in samples]).to(inputs.device)

    def get(self, tap):
        if self.logits is None:
            raise TapError("teacher='cached': no batch was recorded")
        return self.logits

    def calls(self, tap):
        return 1

    def clear(self):
        self.logits = None

    def init_weights(self):
        pass
