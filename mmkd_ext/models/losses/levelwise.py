"""One loss module per feature level (FPN), summed over levels."""
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.registry import MODELS
from .utils import DistillInputError, level_pairs


@MODELS.register_module()
class LevelwiseLoss(nn.Module):
    """Apply ``num_levels`` copies of a per-level loss (each with its own
    parameters, e.g. ``ACAMLoss``) to the levels of a feature tap and sum
    them.

    A level loss returns a scalar or a dict with ``loss`` and parts to
    log; the result is the sum of the levels' losses and, for each part,
    its mean over levels (a dict when the level losses return dicts).

    Args:
        level_loss (dict): config of the loss of one level, called as
            ``loss(student_level, teacher_level)``.
        num_levels (int): levels of the tap (5 for the FPNs of RetinaNet,
            Faster R-CNN and RepPoints; 1 for a single map).
        resize_student (bool): resize a student level whose spatial size
            differs from the teacher's (bilinear). Without it such a level is
            an error. Defaults to False.
    """
    takes_levels = True

    def __init__(self, level_loss, num_levels, resize_student=False):
        super().__init__()
        if not isinstance(num_levels, int) or num_levels < 1:
            raise ValueError(f'num_levels must be an int >= 1, got '
                             f'{num_levels!r}')
        self.levels = nn.ModuleList(
            MODELS.build(level_loss) for _ in range(num_levels))
        for index, level in enumerate(self.levels):
            if hasattr(level, 'level_index'):  # named in its messages
                level.level_index = index
        self.resize_student = resize_student

    def forward(self, student_feats, teacher_feats):
        """A (B, C, H, W) tensor or a sequence of them per model -> the sum
        over levels (with the level losses' parts averaged, see above)."""
        outputs = [level(student, teacher) for level, (student, teacher)
                   in zip(self.levels, self.level_inputs(student_feats,
                                                         teacher_feats))]
        if not isinstance(outputs[0], dict):
            return sum(outputs)
        return {key: sum(out[key] for out in outputs) /
                (1 if key == 'loss' else len(outputs))
                for key in outputs[0]}

    def level_inputs(self, student_feats, teacher_feats):
        """``(student, teacher)`` of each level as the level losses get
        them (student maps resized where configured)."""
        students, teachers = level_pairs(student_feats, teacher_feats)
        if len(students) != len(self.levels):
            raise DistillInputError(
                f'num_levels is {len(self.levels)} but the taps have '
                f'{len(students)} levels')
        return [(self._match_size(level, s, t), t)
                for level, (s, t) in enumerate(zip(students, teachers))]

    def _match_size(self, level, student, teacher):
        if student.shape[2:] == teacher.shape[2:]:
            return student
        if not self.resize_student:
            raise DistillInputError(
                f'level {level}: student feature map is '
                f'{tuple(student.shape[2:])} and teacher feature map '
                f'{tuple(teacher.shape[2:])} (H, W); set resize_student=True '
                f'in the loss config to resize the student map to the '
                f"teacher's")
        return F.interpolate(student, size=teacher.shape[2:],
                             mode='bilinear', align_corners=False)
