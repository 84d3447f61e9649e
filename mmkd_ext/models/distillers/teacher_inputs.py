"""The teacher's inputs when its data preprocessor differs from the
student's: re-normalised from the student's batch, or refused."""
import torch

from mmkd_ext.utils.config import ConfigError



class TeacherPreprocessorError(ConfigError):
    """The teacher's data preprocessor cannot be served from the student's
    batch; the message names both settings."""


def converts_to_rgb(preprocessor):
    """Whether a data preprocessor flips the channel order of its inputs
    (the BGR images that OpenMMLab loaders read become RGB): mmpretrain's
    ``to_rgb``, mmseg's ``channel_conversion`` or mmengine's (mmdet's)
    ``_channel_conversion``."""
    return any(getattr(preprocessor, flag, False) for flag in
               ('to_rgb', 'channel_conversion', '_channel_conversion'))


def normalisation(preprocessor):
    """The image settings of an OpenMMLab data preprocessor, or None for
    none (``None``, or mmengine's ``BaseDataPreprocessor``: the model takes
    whatever the batch holds).

    Returns:
        dict | None: ``mean``, ``std`` (C,) tensors or None (no
        normalisation), ``flip`` (BGR -> RGB), ``pad_size_divisor``,
        ``size`` (mmseg's fixed input size), ``pad_value``, and ``type``
        (the class name).
    """
    if preprocessor is None or (
            not hasattr(preprocessor, 'pad_size_divisor')
            and not hasattr(preprocessor, 'mean')):
        return None
    enabled = getattr(preprocessor, '_enable_normalize', False)
    return dict(
        type=type(preprocessor).__name__,
        mean=preprocessor.mean.flatten().float().cpu() if enabled else None,
        std=preprocessor.std.flatten().float().cpu() if enabled else None,
        flip=converts_to_rgb(preprocessor),
        # mmseg names them size (a fixed input size), size_divisor, pad_val
        pad_size_divisor=getattr(preprocessor, 'pad_size_divisor',
                                 getattr(preprocessor, 'size_divisor', 1)),
        size=getattr(preprocessor, 'size', None),
        pad_value=float(getattr(preprocessor, 'pad_value',
                                getattr(preprocessor, 'pad_val', 0))))


def describe(settings):
    """A short text of ``settings`` for messages."""
    mean = None if settings['mean'] is None else \
        [round(v, 3) for v in settings['mean'].tolist()]
    std = None if settings['std'] is None else \
        [round(v, 3) for v in settings['std'].tolist()]
    size = f", size={settings['size']}" if settings['size'] else ''
    return (f"{settings['type']}(mean={mean}, std={std}, "
            f"bgr_to_rgb={settings['flip']}, "
            f"pad_size_divisor={settings['pad_size_divisor']}{size})")


class TeacherInputs:
    """Turn the student's preprocessed batch into the teacher's.

    Identity when the teacher declares no preprocessor or the same
    normalisation and channel order as the student. Otherwise each image
    is un-normalised with the student's mean/std, its channel order is
    changed where the two differ, and it is normalised with the teacher's
    mean/std; padded positions (outside each sample's ``img_shape``) get
    the teacher's pad value.

    Raises:
        TeacherPreprocessorError: at build, when the teacher needs another
            input size (``pad_size_divisor``) or a channel flip of an input
            that is not 3-channel; the message names both settings.
    """

    def __init__(self, student_preprocessor, teacher_preprocessor):
        self.student = normalisation(student_preprocessor)
        self.teacher = normalisation(teacher_preprocessor)
        self.identity = self.teacher is None or self.student is None or (
            self.student['flip'] == self.teacher['flip']
            and _same(self.student['mean'], self.teacher['mean'])
            and _same(self.student['std'], self.teacher['std']))
        if self.teacher is None or self.student is None:
            return
        mismatch = any(self.student[k] != self.teacher[k]
                       for k in ('pad_size_divisor', 'size'))
        channels = {len(s['mean']) for s in (self.student, self.teacher)
                    if s['mean'] is not None}
        if mismatch or (self.student['flip'] != self.teacher['flip']
                        and channels - {3}):
            raise TeacherPreprocessorError(
                f'teacher data_preprocessor {describe(self.teacher)} cannot '
                f'be fed from the student data_preprocessor '
                f'{describe(self.student)}: the distiller re-normalises and '
                f'flips channels, but padding and input size must match. '
                f'Give the teacher the student\'s pad_size_divisor.')

    def __call__(self, inputs, data_samples=None):
        """(B, C, H, W) student inputs -> the teacher's."""
        if self.identity:
            return inputs
        raw = inputs
        if self.student['std'] is not None:
            raw = raw * _column(self.student['std'], raw) + \
                _column(self.student['mean'], raw)
        if self.student['flip'] != self.teacher['flip']:
            raw = raw.flip(1)
        out = raw
        if self.teacher['mean'] is not None:
            out = (raw - _column(self.teacher['mean'], raw)) / \
                _column(self.teacher['std'], raw)
        return self._repad(out, data_samples)

    def _repad(self, inputs, data_samples):
        shapes = [s.metainfo.get('img_shape') for s in data_samples or ()]
        if not shapes or any(shape is None for shape in shapes):
            return inputs
        height, width = inputs.shape[2:]
        if all(tuple(s[:2]) == (height, width) for s in shapes):
            return inputs
        inputs = inputs.clone()
        for image, (h, w) in zip(inputs, (s[:2] for s in shapes)):
            image[:, h:, :] = self.teacher['pad_value']
            image[:, :, w:] = self.teacher['pad_value']
        return inputs


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and torch.allclose(a, b)


def _column(values, like):
    return values.to(like)[None, :, None, None]
