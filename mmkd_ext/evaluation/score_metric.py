"""A base for metrics of a classifier's class probabilities."""
import torch
from mmengine.evaluator import BaseMetric


class ScoreLabelMetric(BaseMetric):
    """Collects mmpretrain predictions (``pred_score``, (C,) softmax) and
    labels (``gt_label``); subclasses compute from the stacked (N, C) scores
    and (N,) labels in ``compute_from``."""

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            self.results.append((sample['pred_score'].cpu(),
                                 sample['gt_label'].cpu()))

    def compute_metrics(self, results):
        return self.compute_from(torch.stack([r[0] for r in results]),
                                 torch.cat([r[1] for r in results]))

    def compute_from(self, scores, labels):
        raise NotImplementedError
