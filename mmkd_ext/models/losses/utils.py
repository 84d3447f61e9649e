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
