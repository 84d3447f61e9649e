"""MCMI head: a stock mmpretrain linear head trained with log-likelihood
plus conditional mutual information (Ye et al., ICLR 2024; methods.md
section 4), to fine-tune a teacher before distillation."""
import logging

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from mmpretrain.models.heads import LinearClsHead

from mmkd_ext.models.data_samples import classification_labels
from mmkd_ext.models.losses import MCMILoss, cmi_per_sample
from mmkd_ext.models.losses.mcmi import ClassProbabilityStats
from mmkd_ext.models.losses.utils import DistillInputError
from mmkd_ext.registry import MODELS


class ClassCentroids(nn.Module):
    """The (C, C) class centroids Q of MCMI, as buffers so that checkpoints
    save them and a resumed run restores them.

    Buffers: ``value`` (C, C), row c = mean prediction of class c;
    ``computed`` (bool), set once centroids were filled.

    Args:
        num_classes (int): C.
    """
    # state of training, left out of the exported student
    training_only = True


    def __init__(self, num_classes):
        super().__init__()
        self.register_buffer('value', torch.zeros(num_classes, num_classes))
        self.register_buffer('computed', torch.zeros((), dtype=torch.bool))

    def set_from(self, stats, class_names=None):
        """Fill from a ``ClassProbabilityStats`` pass; warn, naming them,
        about classes without samples (their rows stay zero and are clamped
        where used)."""
        missing = stats.missing_classes()
        if missing:
            names = [f'{c} ({class_names[c]})' if class_names else str(c)
                     for c in missing]
            print_log(
                f'MCMI centroids: no training sample of class '
                f'{", ".join(names)}; its centroid row is zero (clamped to '
                f'1e-8 in the loss)', logger='current',
                level=logging.WARNING)
        self.value.copy_(stats.centroids())
        self.computed.fill_(True)

    @torch.no_grad()
    def ema_update(self, probs, labels, momentum):
        """``Q_c <- m Q_c + (1 - m) mean_{b: y_b = c} P_b`` for every class
        in the batch (summed over ranks), rows renormalised."""
        stats = ClassProbabilityStats(self.value.shape[0], probs.device)
        stats.update(probs, labels)
        stats.all_reduce()
        seen = stats.counts > 0
        batch_rows = stats.centroids().to(self.value)
        self.value[seen] = momentum * self.value[seen] + \
            (1 - momentum) * batch_rows[seen]
        self.value[seen] /= self.value[seen].sum(dim=1, keepdim=True)


@MODELS.register_module()
class MCMIHead(LinearClsHead):
    """``LinearClsHead`` whose training loss is ``MCMILoss``::

        loss = CE(z, y) - lambda_cmi * mean_b KL(softmax(z_b) || Q_{y_b})

    The centroids Q live in ``cmi_centroids`` (saved in checkpoints) and
    are filled by ``MCMICentroidHook`` before the first step; with
    ``ema_momentum`` they are also moved towards each batch's class means
    after filling (the official code's disabled EMA variant; here it uses
    the training batch itself). Training logs the batch CMI estimate as
    ``cmi``. Prediction is the stock head's; ``tools/export_student.py``
    drops the centroids, so the stock config loads the exported teacher.

    Args:
        loss (dict): an ``MCMILoss`` config. Defaults to
            ``dict(type='mmkd_ext.MCMILoss', lambda_cmi=0.25)``.
        ema_momentum (float, optional): m of the EMA update, in [0, 1).
            Defaults to None (centroids fixed between passes).
        **kwargs: ``LinearClsHead`` arguments.
    """

    def __init__(self, loss=dict(type='mmkd_ext.MCMILoss', lambda_cmi=0.25),
                 ema_momentum=None, **kwargs):
        super().__init__(loss=loss, **kwargs)
        if not isinstance(self.loss_module, MCMILoss):
            raise TypeError(
                f'MCMIHead: head.loss must be an mmkd_ext.MCMILoss, got '
                f'{type(self.loss_module).__name__}')
        if ema_momentum is not None and not 0 <= ema_momentum < 1:
            raise ValueError(
                f'MCMIHead: ema_momentum must be in [0, 1), got '
                f'{ema_momentum}')
        self.ema_momentum = ema_momentum
        self.cmi_centroids = ClassCentroids(self.num_classes)

    def loss(self, feats, data_samples, **kwargs):
        if not self.cmi_centroids.computed:
            raise DistillInputError(
                'MCMIHead: the class centroids were not computed before the '
                "first training step: add dict(type='mmkd_ext."
                "MCMICentroidHook') to custom_hooks")
        cls_score = self(feats)
        labels = classification_labels(data_samples).to(cls_score.device)
        if labels.dim() == 2:
            raise DistillInputError(
                'MCMIHead got mixup/cutmix score labels: the CMI needs one '
                'class per sample; remove train_cfg.augments')
        log_probs = F.log_softmax(cls_score.detach().float(), dim=1)
        if self.ema_momentum is not None:
            self.cmi_centroids.ema_update(log_probs.exp(), labels,
                                          self.ema_momentum)
        centroids = self.cmi_centroids.value
        loss = self.loss_module(cls_score, labels, centroids)
        cmi = cmi_per_sample(log_probs, labels, centroids).mean()
        return dict(loss=loss, cmi=cmi)
