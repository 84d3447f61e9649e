"""The conditional mutual information of a classifier's predictions."""
from mmkd_ext.models.losses.mcmi import ClassProbabilityStats
from mmkd_ext.registry import METRICS
from .score_metric import ScoreLabelMetric


@METRICS.register_module()
class ConditionalMutualInformation(ScoreLabelMetric):
    """I(X; Y_hat | Y) in nats (methods.md 4.2) of mmpretrain predictions
    (``pred_score`` = softmax at tau = 1) over the evaluated set, with the
    class centroids taken from that same set. Logged as ``cmi/nats``. MCMI
    raises it in a teacher; compare teachers with it.
    """
    default_prefix = 'cmi'

    def compute_from(self, scores, labels):
        stats = ClassProbabilityStats(scores.shape[1])
        stats.update(scores, labels)
        return dict(nats=stats.cmi())
