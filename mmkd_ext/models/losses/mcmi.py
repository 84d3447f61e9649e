"""MCMI: the teacher objective that adds conditional mutual information to
the log-likelihood (Ye et al., ICLR 2024; methods.md section 4)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmkd_ext.registry import MODELS
from .utils import DistillInputError, hard_labels, pointwise_kl

# Floor of a centroid probability before its log (methods.md 4.5, item 3).
CENTROID_FLOOR = 1e-8


def check_centroids(centroids, num_classes):
    """``centroids`` must be a (C, C) tensor for C-class logits."""
    if centroids is None:
        raise DistillInputError(
            'the class centroids are missing: compute them before the first '
            "training step (add dict(type='mmkd_ext.MCMICentroidHook') to "
            'custom_hooks)')
    if centroids.shape != (num_classes, num_classes):
        raise DistillInputError(
            f'centroids must be ({num_classes}, {num_classes}) for '
            f'{num_classes}-class logits, got {tuple(centroids.shape)}')


def cmi_per_sample(log_probs, labels, centroids):
    """``KL(P_b || Q_{y_b})`` of each sample (methods.md 4.2).

    Args:
        log_probs (Tensor): (B, C) log P_x at tau = 1.
        labels (Tensor): (B,) class indices y.
        centroids (Tensor): (C, C) rows Q_c, treated as constants and
            clamped to ``CENTROID_FLOOR`` before the log.

    Returns:
        Tensor: (B,) ``sum_i P_i (log P_i - log Q_{y,i})``.
    """
    log_q = centroids.detach().float().clamp_min(CENTROID_FLOOR).log()
    return pointwise_kl(log_probs, log_q[labels]).sum(dim=1)


@MODELS.register_module()
class MCMILoss(nn.Module):
    """The MCMI teacher loss (paper Eq. 14, sign as in the official code)::

        loss_weight * ( mean_b -log P_b(y_b)  -  lambda_cmi * I_hat )
        I_hat = mean_b KL(P_b || Q_{y_b}),   P = softmax(logits), tau = 1

    ``I_hat`` is the mini-batch estimate of the conditional mutual
    information I(X; Y_hat | Y); Q_c, the class centroid, is the mean
    prediction over the training samples of class c, computed beforehand
    (``MCMICentroidHook``) and held constant. The CMI term is unbounded
    above, so keep the fine-tune short.

    Args:
        lambda_cmi (float): weight of the CMI term, >= 0. The loss subtracts
            it (CMI is maximised); the official scripts use 0.25.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self, lambda_cmi=0.25, loss_weight=1.0):
        super().__init__()
        if lambda_cmi < 0:
            raise ValueError(
                f'lambda_cmi must be >= 0, got {lambda_cmi}: the sign is '
                f'fixed, the loss is CE - lambda_cmi * CMI so that CMI is '
                f'maximised; a negative value would minimise it')
        self.lambda_cmi = lambda_cmi
        self.loss_weight = loss_weight

    def forward(self, logits, gt_label, centroids):
        """logits (B, C), gt_label (B,) indices, centroids (C, C) ->
        scalar."""
        if gt_label is not None and gt_label.dim() == 2:
            raise DistillInputError(
                'MCMILoss got mixup/cutmix score labels: the CMI needs one '
                'class per sample; remove train_cfg.augments')
        labels = hard_labels(gt_label, logits)
        check_centroids(centroids, logits.shape[1])
        log_probs = F.log_softmax(logits.float(), dim=1)
        ce = F.nll_loss(log_probs, labels)
        cmi = cmi_per_sample(log_probs, labels, centroids).mean()
        return self.loss_weight * (ce - self.lambda_cmi * cmi)


class ClassProbabilityStats:
    """Per-class sums of predictions over a pass through a dataset, from
    which the class centroids Q and the dataset's CMI follow.

    With n_c samples of class c, Q_c = (1/n_c) sum_{x in c} P_x, and since
    ``E_{X|c}[KL(P_X || Q_c)] = E_{X|c}[sum_i P_i log P_i] - sum_i Q_c,i log
    Q_c,i``, one pass gives the CMI of methods.md 4.2 (in nats)::

        I(X; Y_hat | Y) = (1/N) sum_x sum_i P_i log P_i
                          - sum_c (n_c / N) sum_i Q_c,i log Q_c,i

    Sums are float64; ``all_reduce`` adds them over distributed ranks.

    Args:
        num_classes (int): C.
        device: where the sums live (that of the predictions).
    """

    def __init__(self, num_classes, device=None):
        self.num_classes = num_classes
        self.prob_sums = torch.zeros(num_classes, num_classes,
                                     dtype=torch.float64, device=device)
        self.counts = torch.zeros(num_classes, dtype=torch.float64,
                                  device=device)
        self.neg_entropy_sum = torch.zeros((), dtype=torch.float64,
                                           device=device)

    def update(self, probs, labels):
        """probs (B, C) at tau = 1, labels (B,) class indices."""
        probs = probs.detach().to(self.prob_sums)
        labels = labels.to(self.prob_sums.device).long()
        if labels.numel() and (labels.min() < 0
                               or labels.max() >= self.num_classes):
            raise DistillInputError(
                f'labels must be in [0, {self.num_classes}), got '
                f'[{int(labels.min())}, {int(labels.max())}]')
        self.prob_sums.index_add_(0, labels, probs)
        self.counts += torch.bincount(labels, minlength=self.num_classes)
        self.neg_entropy_sum += torch.xlogy(probs, probs).sum()

    def all_reduce(self):
        """Sum the statistics over all ranks (no-op outside DDP)."""
        from mmengine.dist import all_reduce
        for stat in (self.prob_sums, self.counts, self.neg_entropy_sum):
            all_reduce(stat)

    def missing_classes(self):
        """Indices of the classes that got no sample."""
        return (self.counts == 0).nonzero().flatten().tolist()

    def centroids(self):
        """(C, C) float32 class centroids; a class without samples gets a
        zero row (clamped to ``CENTROID_FLOOR`` where it is used)."""
        return (self.prob_sums / self.counts.clamp_min(1)[:, None]).float()

    def cmi(self):
        """I(X; Y_hat | Y) of the pass, in nats."""
        total = self.counts.sum()
        if total == 0:
            raise DistillInputError('the CMI of an empty pass is undefined')
        q = self.prob_sums / self.counts.clamp_min(1)[:, None]
        centroid_terms = (self.counts[:, None] * torch.xlogy(q, q)).sum()
        return float((self.neg_entropy_sum - centroid_terms) / total)
