"""PS-KD head: a stock mmpretrain linear head trained on progressively
refined soft targets (Kim et al., ICCV 2021; methods.md section 5)."""
import torch
import torch.nn.functional as F
from mmengine.dist import all_gather, get_world_size
from mmpretrain.models.heads import LinearClsHead

from mmkd_ext.models.losses import PSKDLoss, pskd_alpha
from mmkd_ext.models.losses.utils import DistillInputError
from mmkd_ext.registry import MODELS
from .pskd_memory import PredictionMemory


@MODELS.register_module()
class PSKDHead(LinearClsHead):
    """``LinearClsHead`` whose training loss is PS-KD's soft-target CE::

        target_i = (1 - alpha_e) * onehot(y_i) + alpha_e * p_i^(e-1)
        loss     = mean_i  -sum_c target_i,c log softmax(z_i)_c

    p^(e-1) is the sample's own prediction (train mode, augmented view)
    from the previous epoch, read from ``memory`` by ``sample_idx`` and
    overwritten with this step's prediction; in DDP every rank stores all
    ranks' predictions. ``alpha_e = alpha_T * (e + 1) / E`` is set each epoch
    by ``PSKDHook``. Prediction is the stock head's. Mixup/cutmix labels are
    refused (the official method does not define them).

    Args:
        alpha_T (float): final alpha. Defaults to 0.8.
        memory (dict): ``PredictionMemory`` arguments (``mode`` 'fp32',
            'fp16' or 'topk', ``topk``). Defaults to fp32.
        **kwargs: ``LinearClsHead`` arguments (its ``loss`` is not used).
    """

    def __init__(self, alpha_T=0.8, memory=dict(mode='fp32'), **kwargs):
        super().__init__(**kwargs)
        if not 0 <= alpha_T <= 1:
            raise ValueError(f'alpha_T must be in [0, 1], got {alpha_T}')
        self.alpha_T = alpha_T
        self.memory = PredictionMemory(self.num_classes, **memory)
        self.pskd_loss = PSKDLoss()

    def set_epoch(self, epoch, max_epochs):
        self.memory.alpha.fill_(pskd_alpha(self.alpha_T, epoch, max_epochs))

    def loss(self, feats, data_samples, **kwargs):
        if 'gt_score' in data_samples[0]:
            raise DistillInputError(
                'PSKDHead got mixup/cutmix score labels: PS-KD is defined '
                'for hard labels; remove train_cfg.augments')
        if 'sample_idx' not in data_samples[0].metainfo:
            raise DistillInputError(
                "PSKDHead needs 'sample_idx' in the data samples: keep it in "
                "the meta_keys of PackInputs")
        cls_score = self(feats)
        sample_idx = torch.tensor([s.sample_idx for s in data_samples])
        labels = torch.cat([s.gt_label for s in data_samples]).cpu()
        previous = self.memory.read(sample_idx, labels)
        alpha = float(self.memory.alpha)
        target = (1 - alpha) * F.one_hot(labels, self.num_classes).float() \
            + alpha * previous
        loss = self.pskd_loss(cls_score, target.to(cls_score.device))
        self._remember(sample_idx, F.softmax(cls_score.detach().float(), 1))
        return dict(loss=loss)

    def _remember(self, sample_idx, probs):
        if get_world_size() > 1:
            sample_idx = torch.cat(all_gather(sample_idx.to(probs.device)))
            probs = torch.cat(all_gather(probs))
        self.memory.write(sample_idx.cpu(), probs.cpu())
