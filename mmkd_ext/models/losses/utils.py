"""Input checks shared by the distillation losses."""
import torch

from mmkd_ext.utils.config import ConfigError

# A logit that removes a class from a softmax without producing NaNs.
MASKED_LOGIT = -1e4


class DistillInputError(ConfigError):
    """A loss got inputs it cannot use; the distiller prefixes the message
    with the config key of the loss (``distill_losses.<name>``)."""


def check_same_shape(student, teacher, what, hint=''):
    if student.shape != teacher.shape:
        raise DistillInputError(
            f'student {what} of shape {tuple(student.shape)} and teacher '
            f'{what} of shape {tuple(teacher.shape)} differ{hint}')


def check_same_logits(student_logits, teacher_logits):
    """An error unless the student's and the teacher's logits have one
    shape (a logit loss compares them class by class)."""
    check_same_shape(student_logits, teacher_logits, 'logits',
                     ' (do teacher and student have the same classes?)')


def check_temperature(temperature):
    """An error unless a loss's ``temperature`` is positive."""
    if temperature <= 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')


def pointwise_kl(log_p, log_q):
    """``p (log p - log q)`` elementwise, from log-probabilities of the
    same shape: KL(p || q) once summed over the distribution's dimension."""
    return log_p.exp() * (log_p - log_q)


def hard_labels(gt_label, logits):
    """Class indices (B,) from ``gt_label``: a LongTensor (B,) as is, a
    mixup/cutmix score matrix (B, C) by its argmax."""
    if gt_label is None:
        raise DistillInputError('this loss needs gt_label but got None')
    if gt_label.dim() == 2:
        gt_label = gt_label.argmax(dim=1)
    if gt_label.dim() != 1 or gt_label.shape[0] != logits.shape[0]:
        raise DistillInputError(
            f'gt_label must be (B,) class indices or a (B, C) score matrix '
            f'with B={logits.shape[0]}, got shape {tuple(gt_label.shape)}')
    gt_label = gt_label.long()
    if gt_label.min() < 0 or gt_label.max() >= logits.shape[1]:
        raise DistillInputError(
            f'gt_label values must be in [0, {logits.shape[1]}), got '
            f'[{int(gt_label.min())}, {int(gt_label.max())}]')
    return gt_label


def as_levels(features):
    """A feature tap as a list of levels: a tensor is one level."""
    return [features] if isinstance(features, torch.Tensor) else \
        list(features)


def level_pairs(student_feats, teacher_feats):
    """The levels of a student and a teacher tap as two lists of the same
    length; an error when the two taps have different numbers of levels."""
    students, teachers = as_levels(student_feats), as_levels(teacher_feats)
    if len(students) != len(teachers):
        raise DistillInputError(
            f'the student tap has {len(students)} feature levels and '
            f'the teacher tap {len(teachers)}; both must output the same '
            f'levels (for FPNs: num_outs / start_level)')
    return students, teachers


def upcast(tensor):
    """``tensor`` in float32 when it is half precision (AMP), else as it is
    (float64 stays float64)."""
    return tensor.float() if tensor.dtype in (torch.float16,
                                              torch.bfloat16) else tensor


def distilled_levels(levels, num_levels):
    """The number of levels a feature loss distils, from its ``levels``
    (indices into the tap's levels, or None for all of them) and its
    ``num_levels`` (None: ``len(levels)``, or 1 without ``levels``).

    Raises:
        ValueError: the two disagree, or a value is not a valid count/index.
    """
    if levels is not None:
        levels = list(levels)
        if not levels or not all(isinstance(i, int) for i in levels):
            raise ValueError(f'levels must be a non-empty list of level '
                             f'indices, got {levels!r}')
        if num_levels is not None and num_levels != len(levels):
            raise ValueError(f'num_levels is {num_levels} but levels '
                             f'{levels} names {len(levels)} levels')
        return len(levels)
    num_levels = 1 if num_levels is None else num_levels
    if not isinstance(num_levels, int) or num_levels < 1:
        raise ValueError(f'num_levels must be an int >= 1, got '
                         f'{num_levels!r}')
    return num_levels


def per_level(channels, num_levels):
    """``channels`` as a list: an int repeated ``num_levels`` times, a
    sequence (one int per level) as it is."""
    return [channels] * num_levels if isinstance(channels, int) else \
        list(channels)


def level_channels(teacher_channels, student_channels, levels, num_levels):
    """What a loss with its own modules per distilled level is built for.

    Args:
        teacher_channels (int | list[int]): one value for every level, or
            one per level.
        student_channels (int | list[int] | None): the same; None: the
            teacher's.
        levels (list[int] | None), num_levels (int | None): as in
            :func:`distilled_levels`.

    Returns:
        tuple: ``levels`` as a list (or None), the number of levels, and the
        teacher's and the student's channels as one int per level.
    """
    num_levels = distilled_levels(levels, num_levels)

    def checked(channels, name):
        values = per_level(channels, num_levels)
        if len(values) != num_levels:
            raise ValueError(f'{name} gives {len(values)} levels, num_levels '
                             f'is {num_levels}')
        return values

    teacher = checked(teacher_channels, 'teacher_channels')
    student = teacher if student_channels is None else checked(
        student_channels, 'student_channels')
    return (None if levels is None else list(levels), num_levels, teacher,
            student)


def select_levels(student_feats, teacher_feats, levels=None, expected=None):
    """The levels of two feature taps as two lists, only those at the
    indices ``levels`` (all when None); with ``expected``, an error unless
    that many are left (a loss with one module per level).

    Raises:
        DistillInputError: the taps differ in levels, an index of
            ``levels`` is out of range, or the count is not ``expected``.
    """
    students, teachers = level_pairs(student_feats, teacher_feats)
    if levels is not None:
        bad = [i for i in levels if not -len(students) <= i < len(students)]
        if bad:
            raise DistillInputError(
                f'levels {list(levels)}: the taps have {len(students)} '
                f'levels (indices 0..{len(students) - 1}); {bad} out of range')
        students = [students[i] for i in levels]
        teachers = [teachers[i] for i in levels]
    if expected is not None and len(students) != expected:
        raise DistillInputError(
            f'num_levels is {expected} (one module per level) but the taps '
            f'give {len(students)} levels; set num_levels, or levels=[...] '
            f'to choose which ones')
    return students, teachers


def owned_level_pairs(students, teachers, teacher_channels):
    """``(level, student, teacher)`` of aligned FPN levels for a loss whose
    own per-level modules were built for ``teacher_channels``: checked
    (channels, equal shapes), in float32 under AMP, the teacher detached."""
    for level, (s, t) in enumerate(zip(students, teachers)):
        if t.shape[1] != teacher_channels[level]:
            raise DistillInputError(
                f'level {level}: teacher feature has {t.shape[1]} channels, '
                f'teacher_channels says {teacher_channels[level]}')
        check_same_shape(
            s, t, f'feature (level {level})',
            '; set student_channels for a channel mismatch; spatial sizes '
            'must match')
        yield level, upcast(s), upcast(t).detach()
