"""NKD: normalized knowledge distillation (Yang et al., ICCV 2023)."""
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.registry import MODELS
from mmkd_ext.models.data_samples import classification_labels
from .utils import (MASKED_LOGIT, check_same_logits, check_temperature,
                    hard_labels)


@MODELS.register_module()
class NKDLoss(nn.Module):
    """The NKD term (methods.md section 2.1)::

        L_NKD = - T_y log S_y
                - gamma * tau^2 * sum_{i != y} N(T^tau)_i log N(S^tau)_i

    where S, T are the student's and teacher's softmax at tau = 1, T_y is
    detached, and N(P^tau) renormalises the tempered non-target
    probabilities, i.e. a softmax over the logits with the target column
    removed. Both terms are averaged over the batch (the non-target term is
    summed over classes first). The student's own CE is not included.

    Args:
        temperature (float): tau of the non-target term. Defaults to 1.0.
        gamma (float): weight of the non-target term. Defaults to 1.5.
        loss_weight (float): multiplies the whole term. Defaults to 1.0.
    """

    def __init__(self, temperature=1.0, gamma=1.5, loss_weight=1.0):
        super().__init__()
        check_temperature(temperature)
        self.temperature = temperature
        self.gamma = gamma
        self.loss_weight = loss_weight

    def forward(self, student_logits, teacher_logits, data_samples):
        """student_logits, teacher_logits: (B, C); data_samples: the
        batch's, whose ``gt_label`` (B,) indices or (B, C) mixup/cutmix
        ``gt_score`` (its argmax is used) give y -> scalar."""
        gt_label = classification_labels(data_samples).to(
            student_logits.device)
        check_same_logits(student_logits, teacher_logits)
        s = student_logits.float()
        t = teacher_logits.float().detach()
        y = hard_labels(gt_label, s)[:, None]
        log_s_y = F.log_softmax(s, dim=1).gather(1, y)
        t_y = F.softmax(t, dim=1).gather(1, y)
        target = -(t_y * log_s_y).mean()

        tau = self.temperature
        is_target = F.one_hot(y[:, 0], s.shape[1]).bool()
        log_ns = F.log_softmax(
            (s / tau).masked_fill(is_target, MASKED_LOGIT), dim=1)
        nt = F.softmax((t / tau).masked_fill(is_target, MASKED_LOGIT), dim=1)
        non_target = -(nt * log_ns).masked_fill(is_target, 0).sum(1).mean()
        return self.loss_weight * (
            target + self.gamma * tau**2 * non_target)
