"""USKD heads: stock mmpretrain heads whose training loss adds USKD's terms.

Prediction, evaluation and the exported weights are those of the stock head;
the USKD weak head lives in ``uskd_loss`` and is dropped by
``tools/export_student.py``.
"""
from mmpretrain.models.heads import LinearClsHead, VisionTransformerClsHead

from mmkd_ext.models.data_samples import classification_labels
from mmkd_ext.models.losses.utils import DistillInputError
from mmkd_ext.registry import MODELS


class USKDMixin:
    """Adds ``loss_uskd`` (``USKDLoss``) to a head's training losses.

    The mid feature is ``feats[mid_index]``: the pooled output of the
    second-to-last backbone ``out_indices`` entry for CNNs (e.g. stage 3 of
    ResNet with ``out_indices=(2, 3)``), or the class token after the middle
    block for ViTs (``out_indices=(depth // 2 - 1, depth - 1)``,
    ``out_type='cls_token'``).
    """

    def _init_uskd(self, uskd_loss, mid_index):
        cfg = dict(uskd_loss)
        cfg.setdefault('type', 'USKDLoss')
        cfg.setdefault('_scope_', 'mmkd_ext')
        cfg.setdefault('num_classes', self.num_classes)
        self.uskd_loss = MODELS.build(cfg)
        self.mid_index = mid_index

    def loss(self, feats, data_samples, **kwargs):
        if not -len(feats) <= self.mid_index < len(feats):
            raise DistillInputError(
                f'{type(self).__name__} needs the mid feature too (mid_index '
                f"{self.mid_index}): set the backbone's out_indices to (mid, "
                f'last), e.g. (2, 3) for ResNet, or mid_index=-1 for a '
                f'backbone with one output; got {len(feats)} feature(s)')
        cls_score = self(feats)
        losses = self._get_loss(cls_score, data_samples, **kwargs)
        mid = feats[self.mid_index]
        expected = self.uskd_loss.in_channels
        if mid.dim() != 2 or mid.shape[1] != expected:
            raise DistillInputError(
                f'uskd_loss.in_channels is {expected}, but the mid feature '
                f'feats[{self.mid_index}] (backbone out_indices entry '
                f'{self.mid_index}) has shape {tuple(mid.shape)}; set '
                f'in_channels to its channels and pool it (GAP neck)')
        losses['loss_uskd'] = self.uskd_loss(
            cls_score, mid, classification_labels(data_samples))
        return losses


@MODELS.register_module()
class USKDHead(USKDMixin, LinearClsHead):
    """``LinearClsHead`` + USKD. Args as LinearClsHead, plus:

    Args:
        uskd_loss (dict): ``USKDLoss`` arguments (``in_channels`` = d_mid;
            ``num_classes`` defaults to the head's).
        mid_index (int): which of the head's input features is the mid one.
            Defaults to -2; -1 reads the last one (a backbone with a single
            output, such as LeNet-5).
    """

    def __init__(self, uskd_loss, mid_index=-2, **kwargs):
        super().__init__(**kwargs)
        self._init_uskd(uskd_loss, mid_index)


@MODELS.register_module()
class USKDViTHead(USKDMixin, VisionTransformerClsHead):
    """``VisionTransformerClsHead`` + USKD (DeiT); args as ``USKDHead``."""

    def __init__(self, uskd_loss, mid_index=-2, **kwargs):
        super().__init__(**kwargs)
        self._init_uskd(uskd_loss, mid_index)
