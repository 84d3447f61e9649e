"""PS-KD: progressive self-knowledge distillation (Kim et al., ICCV 2021)."""
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.registry import MODELS
from .utils import check_same_shape


def pskd_alpha(alpha_T, epoch, max_epochs):
    """alpha_t = alpha_T * (epoch + 1) / max_epochs, epoch 0-based
    (methods.md section 5.1)."""
    return alpha_T * (epoch + 1) / max_epochs


@MODELS.register_module()
class PSKDLoss(nn.Module):
    """Soft-target cross entropy ``-sum_i q_i log softmax(z)_i``, batch mean,
    with the PS-KD target ``q = (1 - alpha_t) * onehot(y) + alpha_t * p_prev``.

    Args:
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self, loss_weight=1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, logits, soft_target):
        """logits (B, C), soft_target (B, C) rows summing to 1 -> scalar."""
        check_same_shape(logits, soft_target, 'logits/soft target')
        log_p = F.log_softmax(logits.float(), dim=1)
        return self.loss_weight * -(soft_target.float() * log_p).sum(1).mean()
