"""Vanilla knowledge distillation (Hinton et al., 2015)."""
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.registry import MODELS
from .utils import check_same_logits, check_temperature, pointwise_kl


@MODELS.register_module()
class KDLoss(nn.Module):
    """``loss_weight * tau^2 * KL(softmax(z_t / tau) || softmax(z_s / tau))``,
    summed over classes (dim 1) and averaged over the batch (and, for
    dense logits (B, C, H, W), over positions).

    Args:
        temperature (float): tau. Defaults to 4.0.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self, temperature=4.0, loss_weight=1.0):
        super().__init__()
        check_temperature(temperature)
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, student_logits, teacher_logits):
        """student_logits, teacher_logits: (B, C) or (B, C, H, W) ->
        scalar."""
        check_same_logits(student_logits, teacher_logits)
        tau = self.temperature
        log_s = F.log_softmax(student_logits.float() / tau, dim=1)
        log_t = F.log_softmax(teacher_logits.float() / tau, dim=1)
        kl = pointwise_kl(log_t, log_s).sum(dim=1).mean()
        return self.loss_weight * tau**2 * kl
