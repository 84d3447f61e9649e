"""DKD: decoupled knowledge distillation (Zhao et al., CVPR 2022)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.models.data_samples import classification_labels
from mmkd_ext.registry import MODELS
from .utils import (MASKED_LOGIT, DistillInputError, check_same_logits,
                    check_temperature, hard_labels, pointwise_kl, upcast)


@MODELS.register_module()
class DKDLoss(nn.Module):
    """Decoupled KD: classical KD split into a target-class term (TCKD) and
    a non-target-class term (NCKD), re-weighted (the paper writes KD as
    ``TCKD + (1 - p^T_y) NCKD`` and frees the two weights; the paper's
    notation, equation numbers not checked here)::

        b     = [p_y, 1 - p_y]                  binary target / rest, at tau
        p_hat = softmax over the classes != y   (the non-target distribution)
        TCKD  = tau^2 * KL(b^T || b^S)
        NCKD  = tau^2 * KL(p_hat^T || p_hat^S)
        L_DKD = loss_weight * (alpha * TCKD + beta * NCKD)

    with p = softmax(z / tau); each KL is summed over its classes and
    averaged over the batch (the authors' ``sum / batch``), as in
    megvii-research/mdistiller ``mdistiller/distillers/DKD.py``. The
    student's own cross entropy is not included (the student's head has
    it: the authors' ``CE_WEIGHT`` 1.0). log(1 - p_y) is computed as a
    log-sum-exp over the non-target logits, so extreme logits give finite
    values (the authors take the log of the summed probabilities).

    Warm-up: the authors multiply the loss by ``min(epoch / WARMUP, 1)``
    (epochs counted from 1, one value per epoch). This loss has no epoch:
    use ``mmkd_ext.DistillLossScheduleHook(warmup_iters=...)`` in the config,
    a linear ramp per iteration over the same span (the authors' ramp is a
    staircase, one step per epoch). On ImageNet the authors' WARMUP is 1,
    i.e. no warm-up (scale 1 from the first epoch), so those configs have no
    hook; on CIFAR it is 20 of 240 epochs.

    Args:
        alpha (float): weight of TCKD. Defaults to 1.0 (authors' default).
        beta (float): weight of NCKD. Defaults to 8.0 (authors' CIFAR
            default; ImageNet: 0.5 for R34 -> R18, 2.0 for R50 -> MV1).
        temperature (float): tau. Defaults to 4.0 (CIFAR; ImageNet 1.0).
        loss_weight (float): multiplies the whole term. Defaults to 1.0.

    Called with the student's and teacher's logits (B, C) and the batch's
    ``data_samples`` (``gt_label`` (B,), or mixup/cutmix ``gt_score``
    (B, C) whose argmax is used). Returns ``loss`` and, to log, ``tckd``
    and ``nckd`` (before alpha, beta and loss_weight).
    """

    def __init__(self, alpha=1.0, beta=8.0, temperature=4.0,
                 loss_weight=1.0):
        super().__init__()
        check_temperature(temperature)
        self.alpha, self.beta = alpha, beta
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, student_logits, teacher_logits, data_samples):
        """student_logits, teacher_logits: (B, C) -> dict."""
        check_same_logits(student_logits, teacher_logits)
        if student_logits.dim() != 2 or student_logits.shape[1] < 2:
            raise DistillInputError(
                f'student_logits must be (B, C) with C >= 2 classes, got '
                f'shape {tuple(student_logits.shape)}')
        gt_label = classification_labels(data_samples).to(
            student_logits.device)
        tau = self.temperature
        s = upcast(student_logits) / tau
        t = upcast(teacher_logits).detach() / tau
        y = hard_labels(gt_label, s)
        is_target = F.one_hot(y, s.shape[1]).bool()

        tckd = _binary_kl(t, s, is_target).mean() * tau**2
        log_ns = F.log_softmax(s.masked_fill(is_target, MASKED_LOGIT), dim=1)
        log_nt = F.log_softmax(t.masked_fill(is_target, MASKED_LOGIT), dim=1)
        nckd = pointwise_kl(log_nt, log_ns).masked_fill(
            is_target, 0).sum(1).mean() * tau**2
        loss = self.loss_weight * (self.alpha * tckd + self.beta * nckd)
        return dict(loss=loss, tckd=tckd.detach(), nckd=nckd.detach())


def _log_binary(logits, is_target):
    """(B, 2) log [p_y, 1 - p_y] of softmax(logits), stably."""
    log_all = torch.logsumexp(logits, dim=1)
    log_y = logits[is_target] - log_all
    log_rest = torch.logsumexp(
        logits.masked_fill(is_target, float('-inf')), dim=1) - log_all
    return torch.stack([log_y, log_rest], dim=1)


def _binary_kl(teacher, student, is_target):
    """(B,) KL([p_y, 1 - p_y] of the teacher || the student's)."""
    log_t = _log_binary(teacher, is_target)
    log_s = _log_binary(student, is_target)
    return pointwise_kl(log_t, log_s).sum(1)
