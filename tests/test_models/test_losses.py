import math

import pytest
import torch
import torch.nn.functional as F

from mmkd_ext.models.losses import FeatureMSELoss, KDLoss, NKDLoss
from mmkd_ext.models.losses.utils import DistillInputError


@pytest.fixture
def logits():
    gen = torch.Generator().manual_seed(0)
    return (torch.randn(6, 5, generator=gen) * 3,
            torch.randn(6, 5, generator=gen) * 3,
            torch.tensor([0, 1, 2, 3, 4, 0]))


def test_kd_matches_definition(logits):
    s, t, _ = logits
    loss = KDLoss(temperature=2.0, loss_weight=0.5)(s, t)
    ref = 0
    for i in range(6):
        p_t = F.softmax(t[i] / 2, 0)
        p_s = F.softmax(s[i] / 2, 0)
        ref += (p_t * (p_t.log() - p_s.log())).sum()
    assert loss.item() == pytest.approx(0.5 * 4 * ref.item() / 6, rel=1e-5)
    assert KDLoss()(t, t).item() == pytest.approx(0, abs=1e-6)


def test_kd_gradient_flows_to_student_only(logits):
    s, t, _ = logits
    s = s.clone().requires_grad_()
    KDLoss()(s, t).backward()
    assert s.grad.abs().sum() > 0


def nkd_reference(s, t, y, tau, gamma):
    """Per-sample loops over methods.md section 2.1."""
    total = 0
    for i in range(s.shape[0]):
        S, T = F.softmax(s[i], 0), F.softmax(t[i], 0)
        target = -T[y[i]] * S[y[i]].log()
        St, Tt = F.softmax(s[i] / tau, 0), F.softmax(t[i] / tau, 0)
        non = 0
        for c in range(s.shape[1]):
            if c != y[i]:
                non -= (Tt[c] / (1 - Tt[y[i]])) * math.log(
                    St[c] / (1 - St[y[i]]))
        total += target + gamma * tau**2 * non
    return total / s.shape[0]


@pytest.mark.parametrize('tau, gamma', [(1.0, 1.5), (3.0, 3.5)])
def test_nkd_matches_definition(logits, tau, gamma):
    s, t, y = logits
    loss = NKDLoss(temperature=tau, gamma=gamma, loss_weight=2.0)(s, t, y)
    assert loss.item() == pytest.approx(
        2.0 * float(nkd_reference(s, t, y, tau, gamma)), rel=1e-4)


def test_nkd_mixup_scores_use_argmax(logits):
    s, t, y = logits
    scores = F.one_hot(y, 5).float() * 0.7 + 0.06
    loss = NKDLoss()
    assert loss(s, t, scores).item() == pytest.approx(loss(s, t, y).item())


def test_nkd_non_target_is_entropy_when_distributions_match(logits):
    s, _, y = logits
    # Same non-target logits up to a shift, different target logit: the
    # non-target soft CE reduces to the entropy of the normalised
    # non-target distribution, whatever the target probabilities are.
    t = s + 1.0
    t[torch.arange(6), y] += 5
    loss = NKDLoss(gamma=1.0)(s, t, y)
    target = -(F.softmax(t, 1).gather(1, y[:, None]) *
               F.log_softmax(s, 1).gather(1, y[:, None])).mean()
    keep = ~F.one_hot(y, 5).bool()
    p = F.softmax(s[keep].view(6, 4), 1)
    entropy = -(p * p.log()).sum(1).mean()
    assert loss.item() == pytest.approx((target + entropy).item(), rel=1e-5)


def test_nkd_is_finite_for_extreme_logits():
    s = torch.tensor([[100., -100., 0.], [-50., 50., 0.]],
                     requires_grad=True)
    t = torch.tensor([[-100., 100., 0.], [50., -50., 0.]])
    loss = NKDLoss(temperature=2.0)(s, t, torch.tensor([0, 1]))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(s.grad).all()


@pytest.mark.parametrize('loss, extra', [(KDLoss(), ()),
                                         (NKDLoss(), (torch.zeros(4).long(),))])
def test_logit_losses_reject_class_mismatch(loss, extra):
    with pytest.raises(DistillInputError, match='same classes'):
        loss(torch.randn(4, 5), torch.randn(4, 7), *extra)


def test_nkd_rejects_bad_labels():
    with pytest.raises(DistillInputError, match='gt_label values'):
        NKDLoss()(torch.randn(2, 3), torch.randn(2, 3), torch.tensor([0, 3]))


def test_feature_mse_levels_and_align():
    loss = FeatureMSELoss(student_channels=[4, 8], teacher_channels=[6, 8])
    assert isinstance(loss.align[1], torch.nn.Identity)
    s = [torch.randn(2, 4, 8, 8), torch.randn(2, 8, 4, 4)]
    t = [torch.randn(2, 6, 8, 8), torch.randn(2, 8, 4, 4)]
    value = loss(s, t)
    ref = F.mse_loss(loss.align[0](s[0]), t[0]) + F.mse_loss(s[1], t[1])
    assert value.item() == pytest.approx(ref.item(), rel=1e-5)
    plain = FeatureMSELoss(loss_weight=3.0)
    assert plain(t[1], t[1]).item() == 0
    assert plain(s[1], t[1]).item() == pytest.approx(
        3 * F.mse_loss(s[1], t[1]).item(), rel=1e-5)


def test_feature_mse_errors_name_the_level():
    with pytest.raises(DistillInputError, match='level 0.*student_channels'):
        FeatureMSELoss()(torch.randn(2, 4, 8, 8), torch.randn(2, 6, 8, 8))
    with pytest.raises(DistillInputError, match='spatial'):
        FeatureMSELoss(4, 6)(torch.randn(2, 4, 8, 8), torch.randn(2, 6, 4, 4))
    with pytest.raises(DistillInputError, match='2 feature levels'):
        FeatureMSELoss()([torch.randn(1, 2, 2, 2)] * 2,
                         [torch.randn(1, 2, 2, 2)])
