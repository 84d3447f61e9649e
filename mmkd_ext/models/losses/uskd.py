"""USKD: universal self-knowledge distillation (Yang et al., ICCV 2023)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.registry import MODELS
from .utils import MASKED_LOGIT, DistillInputError, hard_labels


@MODELS.register_module()
class USKDLoss(nn.Module):
    """USKD's self-distillation terms (methods.md section 2.2)::

        L = alpha * L_target + beta * L_non + L_weak

    with S = softmax(student_logits), W = softmax(weak_head(mid_feature)):

    * ``L_weak = -mu * sum_i y~_i log W_i``, y~ = 0.9 * label + 0.1 / C;
    * ``L_target = -P_y log S_y``, ``P_y = sg(S_y^2 + v_y - mean_batch(S_y^2))``
      (v_y = 1 for hard labels), the smoothed soft target label;
    * ``L_non = -sum_{i not a label} N(Z)_i log N(S)_i``, where Z_i = 1 / rank_i
      (Zipf's law) over a ranking R of all classes, the label classes then
      dropped and Z renormalised (detached), and N(S) is the softmax over
      the non-label logits.

    The ranking ``R`` follows the paper, ``W_i / (1 - W_y) + S_i / (1 - S_y)``,
    or with ``rank_use_logprob=True`` the authors' current code, which uses
    log-probabilities in the second term: ``log S_i / (1 - log S_y)``.

    Mixup/cutmix score labels (B, C): the two largest entries (y_k, v_k) each
    give a target term (P_k = 0 where v_k = 0), both are excluded from the
    non-target set and the weak head learns the smoothed score vector. The
    ranking's normalisers then sum over both labels, ``1 - sum_k W_{y_k}``
    and ``1 - sum_k S_{y_k}`` (``1 - sum_k log S_{y_k}`` in the code form),
    as the authors' code does (yzd-v/cls_KD, branch 1.0,
    ``mmcls/models/dis_losses/uskd.py``). Two details of that code are not
    followed: a second entry of value 0 (both mixed images of one class)
    is not a label here (the code drops an arbitrary zero-valued class from
    the non-target set and adds its W and S to the normalisers), and the
    normalisers get no 1e-6 (hard labels keep exactly the maths above).
    The student's plain CE is not included.

    Args:
        in_channels (int): channels of the pooled mid feature (d_mid).
        num_classes (int): C.
        alpha (float): weight of L_target. Defaults to 1.0 (ImageNet).
        beta (float): weight of L_non. Defaults to 0.1.
        mu (float): weight inside L_weak. Defaults to 0.005 (ImageNet).
        rank_use_logprob (bool): code form of the ranking. Defaults to False
            (paper form).
        loss_weight (float): multiplies the sum. Defaults to 1.0.
    """
    # its weak head is trained alongside the student, never deployed
    training_only = True


    def __init__(self, in_channels, num_classes, alpha=1.0, beta=0.1,
                 mu=0.005, rank_use_logprob=False, loss_weight=1.0):
        super().__init__()
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.alpha, self.beta, self.mu = alpha, beta, mu
        self.rank_use_logprob = rank_use_logprob
        self.loss_weight = loss_weight
        self.weak_head = nn.Linear(in_channels, num_classes)

    def _labels(self, gt_label, logits):
        """(B, K) label indices, (B, K) label values, (B, C) label dist."""
        num_classes = logits.shape[1]
        if gt_label is not None and gt_label.dim() == 2:
            if gt_label.shape != logits.shape:
                raise DistillInputError(
                    f'score labels must be (B, {num_classes}), got '
                    f'{tuple(gt_label.shape)}')
            values, index = gt_label.float().topk(2, dim=1)
            return index, values, gt_label.float()
        index = hard_labels(gt_label, logits)[:, None]
        return index, torch.ones_like(index, dtype=torch.float), \
            F.one_hot(index[:, 0], num_classes).float()

    def forward(self, student_logits, mid_feature, gt_label):
        """student_logits (B, C), mid_feature (B, in_channels) pooled,
        gt_label (B,) or (B, C) -> scalar."""
        if mid_feature.dim() != 2 or mid_feature.shape[1] != self.in_channels:
            raise DistillInputError(
                f'mid_feature must be pooled (B, {self.in_channels}) '
                f'(in_channels), got {tuple(mid_feature.shape)}')
        if student_logits.shape[1] != self.num_classes:
            raise DistillInputError(
                f'logits have {student_logits.shape[1]} classes, '
                f'num_classes is {self.num_classes}')
        s = student_logits.float()
        index, values, label_dist = self._labels(gt_label, s)
        num_classes = s.shape[1]
        log_s = F.log_softmax(s, dim=1)
        weak_logits = self.weak_head(mid_feature.float())
        log_w = F.log_softmax(weak_logits, dim=1)

        smooth = 0.9 * label_dist + 0.1 / num_classes
        loss_weak = -self.mu * (smooth * log_w).sum(1).mean()

        s_label = log_s.gather(1, index).exp()
        p_label = (s_label**2 + values - (s_label**2).mean(0)).detach()
        p_label = p_label.masked_fill(values == 0, 0)
        loss_target = -(p_label * log_s.gather(1, index)).sum(1).mean()

        is_label = torch.zeros_like(s, dtype=torch.bool).scatter_(
            1, index, values > 0)
        zipf = self._zipf(log_s, log_w, index, values > 0)
        zipf = zipf.masked_fill(is_label, 0)
        zipf = (zipf / zipf.sum(1, keepdim=True)).detach()
        log_ns = F.log_softmax(s.masked_fill(is_label, MASKED_LOGIT), dim=1)
        loss_non = -(zipf * log_ns.masked_fill(is_label, 0)).sum(1).mean()
        return self.loss_weight * (self.alpha * loss_target +
                                   self.beta * loss_non + loss_weak)

    def _zipf(self, log_s, log_w, index, is_label):
        """Z_i = 1 / rank_i of all classes by the ranking R (targets
        included, rank 1 the highest). ``index`` (B, K) holds the label
        classes and ``is_label`` (B, K) which of them count (value > 0);
        each normaliser is 1 minus the sum over the labels that count."""

        def label_sum(x):
            return x.gather(1, index).masked_fill(~is_label, 0).sum(
                1, keepdim=True)

        with torch.no_grad():
            w = log_w.exp()
            rank_score = w / (1 - label_sum(w))
            if self.rank_use_logprob:
                rank_score = rank_score + log_s / (1 - label_sum(log_s))
            else:
                s = log_s.exp()
                rank_score = rank_score + s / (1 - label_sum(s))
            order = rank_score.argsort(dim=1, descending=True)
            ranks = torch.empty_like(order)
            positions = torch.arange(1, order.shape[1] + 1,
                                     device=order.device)
            ranks.scatter_(1, order, positions.expand_as(order))
        return 1.0 / ranks.float()
