import pytest
import torch
import torch.nn.functional as F

from mmkd_ext.models.losses import PSKDLoss, USKDLoss, pskd_alpha
from mmkd_ext.models.losses.utils import DistillInputError
from references import uskd_reference


@pytest.mark.parametrize('use_logprob', [False, True])
def test_uskd_matches_definition(use_logprob):
    torch.manual_seed(0)
    loss = USKDLoss(in_channels=6, num_classes=5, alpha=1.0, beta=0.5,
                    mu=0.2, rank_use_logprob=use_logprob)
    z, feat = torch.randn(4, 5) * 2, torch.randn(4, 6)
    y = torch.tensor([0, 3, 4, 1])
    value = loss(z, feat, y)
    ref = uskd_reference(loss, z, feat, y, use_logprob)
    assert value.item() == pytest.approx(float(ref), rel=1e-4)


def test_uskd_has_exactly_one_weak_linear_and_trains_it():
    loss = USKDLoss(8, 3)
    linears = [m for m in loss.modules() if isinstance(m, torch.nn.Linear)]
    assert linears == [loss.weak_head]
    z = torch.randn(4, 3, requires_grad=True)
    loss(z, torch.randn(4, 8), torch.tensor([0, 1, 2, 0])).backward()
    assert loss.weak_head.weight.grad.abs().sum() > 0
    assert z.grad.abs().sum() > 0


def test_uskd_ranking_forms_differ():
    torch.manual_seed(3)
    paper, code = USKDLoss(4, 10), USKDLoss(4, 10, rank_use_logprob=True)
    code.load_state_dict(paper.state_dict())
    z, feat = torch.randn(8, 10) * 3, torch.randn(8, 4) * 3
    y = torch.arange(8)
    assert paper(z, feat, y).item() != pytest.approx(code(z, feat, y).item())


def test_uskd_mixup_scores():
    torch.manual_seed(1)
    loss = USKDLoss(4, 6)
    z, feat = torch.randn(3, 6), torch.randn(3, 4)
    y = torch.tensor([1, 2, 5])
    one_hot = F.one_hot(y, 6).float()
    # a score matrix with one label equals the hard-label loss
    assert loss(z, feat, one_hot).item() == pytest.approx(
        loss(z, feat, y).item(), rel=1e-5)
    mixed = 0.7 * one_hot + 0.3 * F.one_hot(torch.tensor([0, 0, 1]), 6)
    assert loss(z, feat, mixed).item() == pytest.approx(
        float(uskd_reference(loss, z, feat, mixed)), rel=1e-4)


@pytest.mark.parametrize('use_logprob', [False, True])
def test_uskd_mixup_ranking_normalises_by_both_labels(use_logprob):
    """Under mixup/cutmix the ranking's normalisers are 1 - W_y1 - W_y2 and
    1 - S_y1 - S_y2 (log S in the code form), as the authors' code sums
    over both mixed labels. On these inputs a normaliser over the top-1
    label alone ranks the classes differently, so it fails the comparison.
    Row 3 mixes two images of one class (the second entry has value 0 and
    is no label)."""
    torch.manual_seed(4)
    loss = USKDLoss(in_channels=5, num_classes=8, alpha=1.0, beta=1.0,
                    mu=0.1, rank_use_logprob=use_logprob)
    with torch.no_grad():
        loss.weak_head.weight.mul_(4)
    z, feat = torch.randn(6, 8) * 3, torch.randn(6, 5)
    first = torch.tensor([0, 1, 2, 3, 4, 5])
    second = torch.tensor([7, 6, 5, 3, 1, 0])
    lam = torch.tensor([0.6, 0.55, 0.7, 1.0, 0.5, 0.65])[:, None]
    mixed = lam * F.one_hot(first, 8).float() + \
        (1 - lam) * F.one_hot(second, 8).float()
    assert loss(z, feat, mixed).item() == pytest.approx(
        float(uskd_reference(loss, z, feat, mixed, use_logprob)), rel=1e-5)
    both = zipf_non_target(loss, z, feat, mixed, use_logprob, top1=False)
    top1 = zipf_non_target(loss, z, feat, mixed, use_logprob, top1=True)
    assert abs(both - top1) > 1e-3


def zipf_non_target(loss, z, feat, mixed, use_logprob, top1):
    """L_non alone, the ranking normalised by both labels or (``top1``) by
    the top-1 label only."""
    values, index = mixed.topk(2, dim=1)
    S, W = F.softmax(z, 1), F.softmax(loss.weak_head(feat), 1)
    total = 0.0
    for b in range(z.shape[0]):
        labels = [int(index[b, k]) for k in (0, 1) if values[b, k] > 0]
        norm = labels[:1] if top1 else labels
        P = S[b].log() if use_logprob else S[b]
        R = W[b] / (1 - sum(W[b, y] for y in norm)) + \
            P / (1 - sum(P[y] for y in norm))
        order = sorted(range(z.shape[1]), key=lambda i: -float(R[i]))
        others = [c for c in range(z.shape[1]) if c not in labels]
        zipf = torch.tensor([1.0 / (order.index(c) + 1) for c in others])
        total -= float((zipf / zipf.sum() *
                        F.log_softmax(z[b, others], 0)).sum())
    return total / z.shape[0]


def test_uskd_errors_name_the_feature():
    loss = USKDLoss(256, 10)
    with pytest.raises(DistillInputError, match=r'\(B, 256\).*\(2, 512\)'):
        loss(torch.randn(2, 10), torch.randn(2, 512), torch.tensor([0, 1]))
    with pytest.raises(DistillInputError, match='num_classes'):
        loss(torch.randn(2, 7), torch.randn(2, 256), torch.tensor([0, 1]))


def test_pskd_loss_and_alpha():
    logits = torch.randn(4, 3)
    target = F.softmax(torch.randn(4, 3), 1)
    ref = -(target * F.log_softmax(logits, 1)).sum(1).mean()
    assert PSKDLoss(loss_weight=2.0)(logits, target).item() == \
        pytest.approx(2 * ref.item(), rel=1e-6)
    one_hot = F.one_hot(torch.tensor([0, 1, 2, 0]), 3).float()
    assert PSKDLoss()(logits, one_hot).item() == pytest.approx(
        F.cross_entropy(logits, torch.tensor([0, 1, 2, 0])).item(), rel=1e-6)
    assert pskd_alpha(0.8, 0, 200) == pytest.approx(0.004)
    assert pskd_alpha(0.8, 199, 200) == pytest.approx(0.8)


def test_uskd_head_names_the_mismatched_stage():
    from mmengine.registry import DefaultScope
    from mmpretrain.structures import DataSample

    from mmkd_ext.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        head = MODELS.build(dict(type='mmkd_ext.USKDHead', num_classes=3,
                                 in_channels=8, uskd_loss=dict(in_channels=4)))
    samples = [DataSample().set_gt_label(i) for i in range(2)]
    with pytest.raises(DistillInputError,
                       match=r'in_channels is 4.*feats\[-2\].*\(2, 6\)'):
        head.loss((torch.randn(2, 6), torch.randn(2, 8)), samples)
    with pytest.raises(DistillInputError, match='out_indices'):
        head.loss((torch.randn(2, 8), ), samples)
    losses = head.loss((torch.randn(2, 4), torch.randn(2, 8)), samples)
    assert set(losses) >= {'loss', 'loss_uskd'}
    # a backbone with one output: mid_index=-1 reads the last feature
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        single = MODELS.build(dict(
            type='mmkd_ext.USKDHead', num_classes=3, in_channels=8,
            mid_index=-1, uskd_loss=dict(in_channels=8)))
    losses = single.loss((torch.randn(2, 8), ), samples)
    assert losses['loss_uskd'].item() > 0
    # prediction is the stock head's: no USKD involved
    assert head.predict((torch.randn(2, 4), torch.randn(2, 8)))[0] \
        .pred_score.shape == (3, )
