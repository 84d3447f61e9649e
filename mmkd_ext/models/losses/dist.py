"""DIST: knowledge distillation from a stronger teacher (Huang et al.,
NeurIPS 2022)."""
import torch.nn as nn

from mmkd_ext.registry import MODELS
from .utils import (DistillInputError, check_same_logits, check_temperature,
                    upcast)


def pearson_distance(a, b, eps=1e-8):
    """(R,) ``1 - rho(a_r, b_r)`` for the rows of two (R, K) matrices:
    the cosine of the centred rows with ``eps`` added to the product of
    the norms (the authors' ``cosine_similarity``)."""
    a = a - a.mean(dim=1, keepdim=True)
    b = b - b.mean(dim=1, keepdim=True)
    cosine = (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1) + eps)
    return 1 - cosine


@MODELS.register_module()
class DISTLoss(nn.Module):
    """DIST: match the relations of the predictions rather than the
    predictions, with the Pearson distance ``d_p(u, v) = 1 - rho(u, v)``
    (the paper's inter-class and intra-class relation losses and its total
    loss; equation numbers not checked here)::

        Y^s = softmax(z^s / tau), Y^t = softmax(z^t / tau)    (B, C)
        L_inter = 1/B sum_i d_p(Y^s_{i,:}, Y^t_{i,:})   (each image's row)
        L_intra = 1/C sum_j d_p(Y^s_{:,j}, Y^t_{:,j})   (each class's column)
        L_DIST  = loss_weight * tau^2 * (beta * L_inter + gamma * L_intra)

    as hunto/image_classification_sota ``lib/models/losses/dist_kd.py``
    (the ``classification`` submodule of hunto/DIST_KD). The authors'
    ImageNet configs use tau 1, beta = gamma = 1 and a KD loss weight of 2
    (= beta = gamma = 2 here); CIFAR-100 uses tau 4 (``dist_t4``).
    Dense logits (B, C, H, W) are flattened to (B*H*W, C), as the authors'
    segmentation loss does. The student's own cross entropy is not
    included.

    Args:
        beta (float): weight of the inter-class relation. Defaults to 1.0.
        gamma (float): weight of the intra-class relation. Defaults to 1.0.
        temperature (float): tau. Defaults to 1.0.
        eps (float): added to the product of the norms. Defaults to 1e-8.
        loss_weight (float): Defaults to 1.0.

    Returns ``loss`` and, to log, ``inter`` and ``intra`` (before tau^2 and
    the weights).
    """

    def __init__(self, beta=1.0, gamma=1.0, temperature=1.0, eps=1e-8,
                 loss_weight=1.0):
        super().__init__()
        check_temperature(temperature)
        self.beta, self.gamma = beta, gamma
        self.temperature = temperature
        self.eps = eps
        self.loss_weight = loss_weight

    def forward(self, student_logits, teacher_logits):
        """student_logits, teacher_logits: (B, C) or (B, C, H, W) -> dict."""
        check_same_logits(student_logits, teacher_logits)
        if student_logits.dim() not in (2, 4):
            raise DistillInputError(
                f'student_logits must be (B, C) or (B, C, H, W), got shape '
                f'{tuple(student_logits.shape)}')
        s, t = upcast(student_logits), upcast(teacher_logits).detach()
        if s.dim() == 4:
            s = s.permute(0, 2, 3, 1).reshape(-1, s.shape[1])
            t = t.permute(0, 2, 3, 1).reshape(-1, t.shape[1])
        tau = self.temperature
        y_s, y_t = (s / tau).softmax(dim=1), (t / tau).softmax(dim=1)
        inter = pearson_distance(y_s, y_t, self.eps).mean()
        intra = pearson_distance(y_s.t(), y_t.t(), self.eps).mean()
        loss = self.loss_weight * tau**2 * (self.beta * inter +
                                            self.gamma * intra)
        return dict(loss=loss, inter=inter.detach(), intra=intra.detach())
