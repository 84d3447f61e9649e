"""Expected calibration error of a classifier's confidences."""
import torch

from mmkd_ext.registry import METRICS
from .score_metric import ScoreLabelMetric


def expected_calibration_error(scores, labels, num_bins=15):
    """ECE in percent: ``sum_b |B_b|/N * |acc(B_b) - conf(B_b)|`` over
    ``num_bins`` equal-width confidence bins (Guo et al., 2017).

    Args:
        scores (Tensor): (N, C) class probabilities.
        labels (Tensor): (N,) class indices.
    """
    confidence, prediction = scores.float().max(dim=1)
    correct = (prediction == labels).float()
    bins = torch.clamp((confidence * num_bins).long(), max=num_bins - 1)
    ece = torch.zeros(())
    for b in range(num_bins):
        in_bin = bins == b
        if in_bin.any():
            gap = (correct[in_bin].mean() - confidence[in_bin].mean()).abs()
            ece += in_bin.float().mean() * gap
    return 100 * float(ece)


@METRICS.register_module()
class ExpectedCalibrationError(ScoreLabelMetric):
    """ECE (percent) of mmpretrain predictions (``pred_score``,
    ``gt_label``), logged as ``calibration/ece``.

    Args:
        num_bins (int): confidence bins. Defaults to 15.
    """
    default_prefix = 'calibration'

    def __init__(self, num_bins=15, collect_device='cpu', prefix=None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.num_bins = num_bins

    def compute_from(self, scores, labels):
        return dict(ece=expected_calibration_error(scores, labels,
                                                   self.num_bins))
