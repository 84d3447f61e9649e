import pytest
import torch
import torch.nn.functional as F

from mmkd_ext.models.losses import (FeatureMSELoss, ForegroundFeatureLoss,
                                    KDLoss, NKDLoss)
from mmkd_ext.models.losses.utils import DistillInputError
from references import nkd_reference


def samples(labels):
    """mmpretrain data samples with these labels: (B,) class indices, or
    (B, C) mixup/cutmix scores."""
    from mmpretrain.structures import DataSample
    if labels.dim() == 2:
        return [DataSample().set_gt_score(row) for row in labels]
    return [DataSample().set_gt_label(int(y)) for y in labels]


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


def test_kd_gradient_is_tau_times_the_probability_gap(logits):
    s, t, _ = logits
    s = s.clone().requires_grad_()
    KDLoss(temperature=4.0)(s, t).backward()
    expected = 4.0 * (F.softmax(s / 4, 1) - F.softmax(t / 4, 1)) / 6
    torch.testing.assert_close(s.grad, expected.detach(), rtol=1e-4,
                               atol=1e-6)


@pytest.mark.parametrize('tau, gamma', [(1.0, 1.5), (3.0, 3.5)])
def test_nkd_matches_definition(logits, tau, gamma):
    s, t, y = logits
    loss = NKDLoss(temperature=tau, gamma=gamma,
                   loss_weight=2.0)(s, t, samples(y))
    assert loss.item() == pytest.approx(
        2.0 * float(nkd_reference(s, t, y, tau, gamma)), rel=1e-4)


def test_nkd_mixup_scores_use_argmax(logits):
    s, t, y = logits
    scores = F.one_hot(y, 5).float() * 0.7 + 0.06
    loss = NKDLoss()
    assert loss(s, t, samples(scores)).item() == pytest.approx(
        loss(s, t, samples(y)).item())


def test_nkd_non_target_is_entropy_when_distributions_match(logits):
    s, _, y = logits
    # Same non-target logits up to a shift, different target logit: the
    # non-target soft CE reduces to the entropy of the normalised
    # non-target distribution, whatever the target probabilities are.
    t = s + 1.0
    t[torch.arange(6), y] += 5
    loss = NKDLoss(gamma=1.0)(s, t, samples(y))
    target = -(F.softmax(t, 1).gather(1, y[:, None]) *
               F.log_softmax(s, 1).gather(1, y[:, None])).mean()
    keep = ~F.one_hot(y, 5).bool()
    p = F.softmax(s[keep].view(6, 4), 1)
    entropy = -(p * p.log()).sum(1).mean()
    assert loss.item() == pytest.approx((target + entropy).item(), rel=1e-5)


def test_nkd_is_exact_for_extreme_logits():
    s = torch.tensor([[100., -100., 0.], [-50., 50., 0.]],
                     requires_grad=True)
    t = torch.tensor([[-100., 100., 0.], [50., -50., 0.]])
    y = torch.tensor([0, 1])
    loss = NKDLoss(temperature=2.0)(s, t, samples(y))
    loss.backward()
    # T_y ~ e^-200 and e^-100: no target term; the non-target soft CE,
    # worked by hand: gamma * tau^2 * mean(50, 25) = 1.5 * 4 * 37.5
    assert loss.item() == pytest.approx(225.0, rel=1e-6)
    assert torch.isfinite(s.grad).all()


@pytest.mark.parametrize('loss, extra', [
    (KDLoss(), ()), (NKDLoss(), (samples(torch.zeros(4).long()), ))])
def test_logit_losses_reject_class_mismatch(loss, extra):
    with pytest.raises(DistillInputError, match='same classes'):
        loss(torch.randn(4, 5), torch.randn(4, 7), *extra)


def test_nkd_rejects_bad_labels():
    with pytest.raises(DistillInputError, match='gt_label values'):
        NKDLoss()(torch.randn(2, 3), torch.randn(2, 3),
                  samples(torch.tensor([0, 3])))


def test_feature_mse_levels_and_align():
    loss = FeatureMSELoss(student_channels=[4, 8], teacher_channels=[6, 8])
    assert isinstance(loss.align.convs[1], torch.nn.Identity)
    s = [torch.randn(2, 4, 8, 8), torch.randn(2, 8, 4, 4)]
    t = [torch.randn(2, 6, 8, 8), torch.randn(2, 8, 4, 4)]
    value = loss(s, t)
    ref = F.mse_loss(loss.align.convs[0](s[0]), t[0]) + \
        F.mse_loss(s[1], t[1])
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


def det_samples(boxes, input_shape=(32, 32)):
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    out = []
    for image_boxes in boxes:
        sample = DetDataSample(metainfo=dict(batch_input_shape=input_shape))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor(image_boxes, dtype=torch.float32).view(-1, 4),
            labels=torch.zeros(len(image_boxes), dtype=torch.long))
        out.append(sample)
    return out


def test_foreground_feature_loss_weights_cells_inside_the_boxes():
    # 32x32 input, an 8x8 level (stride 4): the box (0, 0, 16, 8) covers
    # the cells whose centres (2, 6, ...) lie inside: 4 columns x 2 rows
    loss = ForegroundFeatureLoss(fg_weight=2.0, bg_weight=0.5)
    gen = torch.Generator().manual_seed(0)
    s = torch.randn(2, 3, 8, 8, generator=gen)
    t = torch.randn(2, 3, 8, 8, generator=gen)
    out = loss([s], [t], det_samples([[[0, 0, 16, 8]], []]))
    err = (s - t).square().mean(1)  # (2, 8, 8)
    mask = torch.zeros(2, 8, 8, dtype=torch.bool)
    mask[0, :2, :4] = True
    fg, bg = err[mask].mean(), err[~mask].mean()
    assert out['fg'].item() == pytest.approx(fg.item(), rel=1e-5)
    assert out['bg'].item() == pytest.approx(bg.item(), rel=1e-5)
    assert out['loss'].item() == pytest.approx((2 * fg + 0.5 * bg).item(),
                                               rel=1e-5)
    assert out['fg_fraction'].item() == pytest.approx(8 / 128)


def test_foreground_feature_loss_needs_detection_samples():
    with pytest.raises(DistillInputError, match='gt_instances'):
        ForegroundFeatureLoss()([torch.zeros(1, 2, 4, 4)],
                                [torch.zeros(1, 2, 4, 4)],
                                samples(torch.tensor([0])))
