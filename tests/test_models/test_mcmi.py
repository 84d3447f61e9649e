"""MCMI loss, centroid statistics, head and subset dataset (unit level)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import DefaultScope

from mmkd_ext.datasets import LabelSubsetDataset
from mmkd_ext.models.losses import MCMILoss, cmi_per_sample
from mmkd_ext.models.losses.mcmi import ClassProbabilityStats
from mmkd_ext.models.losses.utils import DistillInputError
from mmkd_ext.registry import MODELS

LOGITS = torch.tensor([[2.0, 0.5, -1.0], [0.1, 1.5, 0.3], [1.0, 1.0, 1.0],
                       [-0.5, 0.2, 2.5]])
LABELS = torch.tensor([0, 1, 1, 2])
CENTROIDS = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8]])


def test_mcmi_loss_matches_ce_minus_kl_to_centroid():
    loss = MCMILoss(lambda_cmi=0.25)(LOGITS, LABELS, CENTROIDS)
    log_p = F.log_softmax(LOGITS, 1)
    # the official code's form: kl_div(log Q_y, log P, batchmean, log
    # target) = mean_b sum_i P (log P - log Q_y)
    kl = F.kl_div(CENTROIDS.log()[LABELS], log_p, reduction='batchmean',
                  log_target=True)
    expected = F.cross_entropy(LOGITS, LABELS) - 0.25 * kl
    assert float(loss) == pytest.approx(float(expected), rel=1e-6)
    assert float(MCMILoss(0.0, loss_weight=2.0)(LOGITS, LABELS, CENTROIDS)) \
        == pytest.approx(2 * float(F.cross_entropy(LOGITS, LABELS)))


def test_mcmi_loss_gradient_pushes_away_from_the_centroid():
    """The CMI term is maximised: with CE switched off, a step along the
    gradient raises KL(P || Q_y); the centroids get no gradient."""
    logits = LOGITS.clone().requires_grad_()
    centroids = CENTROIDS.clone().requires_grad_()
    loss_fn = MCMILoss(lambda_cmi=1.0)
    ce = F.cross_entropy(logits, LABELS)
    (loss_fn(logits, LABELS, centroids) - ce).backward()
    assert centroids.grad is None
    before = cmi_per_sample(F.log_softmax(LOGITS, 1), LABELS, CENTROIDS)
    stepped = LOGITS - 0.1 * logits.grad
    after = cmi_per_sample(F.log_softmax(stepped, 1), LABELS, CENTROIDS)
    assert after.mean() > before.mean()


def test_mcmi_loss_bad_input():
    with pytest.raises(ValueError, match='sign is fixed'):
        MCMILoss(lambda_cmi=-0.25)
    loss = MCMILoss()
    with pytest.raises(DistillInputError, match='MCMICentroidHook'):
        loss(LOGITS, LABELS, None)
    with pytest.raises(DistillInputError, match=r'\(3, 3\).*\(4, 4\)'):
        loss(LOGITS, LABELS, torch.eye(4))
    with pytest.raises(DistillInputError, match='mixup'):
        loss(LOGITS, F.one_hot(LABELS, 3).float(), CENTROIDS)


def test_zero_centroid_rows_are_clamped():
    centroids = CENTROIDS.clone()
    centroids[2] = 0
    value = MCMILoss()(LOGITS, LABELS, centroids)
    log_p = F.log_softmax(LOGITS, 1)
    log_q = centroids.clamp_min(1e-8).log()[LABELS]
    kl = (log_p.exp() * (log_p - log_q)).sum(1).mean()
    expected = F.cross_entropy(LOGITS, LABELS) - 0.25 * kl
    assert value.item() == pytest.approx(expected.item(), rel=1e-6)


def test_stats_give_centroids_and_the_cmi_in_one_pass():
    probs = F.softmax(torch.randn(40, 5, generator=torch.Generator()
                                  .manual_seed(0)), 1)
    labels = torch.arange(40) % 4  # class 4 never appears
    stats = ClassProbabilityStats(5)
    stats.update(probs[:25], labels[:25])
    stats.update(probs[25:], labels[25:])
    q = stats.centroids()
    assert torch.allclose(q[:4].sum(1), torch.ones(4))
    assert torch.equal(q[4], torch.zeros(5))
    assert stats.missing_classes() == [4]
    assert torch.allclose(q[1], probs[labels == 1].mean(0))
    direct = cmi_per_sample(probs.log(), labels, q).mean()
    assert stats.cmi() == pytest.approx(float(direct), rel=1e-5)
    with pytest.raises(DistillInputError, match=r'\[0, 5\)'):
        stats.update(probs[:1], torch.tensor([5]))


def build_head(**kwargs):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(dict(type='mmkd_ext.MCMIHead', num_classes=3,
                                 in_channels=4, **kwargs))


def data_samples(labels):
    from mmpretrain.structures import DataSample
    return [DataSample().set_gt_label(int(y)) for y in labels]


def test_head_needs_centroids_then_logs_loss_and_cmi():
    head = build_head()
    feats = (torch.randn(4, 4), )
    with pytest.raises(DistillInputError, match='MCMICentroidHook'):
        head.loss(feats, data_samples(LABELS))
    stats = ClassProbabilityStats(3)
    stats.update(CENTROIDS, torch.arange(3))
    head.cmi_centroids.set_from(stats)
    assert torch.allclose(head.cmi_centroids.value, CENTROIDS)
    losses = head.loss(feats, data_samples(LABELS))
    logits = head(feats).detach()
    assert losses['loss'].item() == pytest.approx(
        MCMILoss()(logits, LABELS, CENTROIDS).item(), rel=1e-6)
    assert float(losses['cmi']) == pytest.approx(float(cmi_per_sample(
        F.log_softmax(logits, 1), LABELS, CENTROIDS).mean()), rel=1e-6)
    assert 'cmi_centroids.value' in head.state_dict()


def test_head_ema_moves_seen_rows_only():
    head = build_head(ema_momentum=0.5)
    stats = ClassProbabilityStats(3)
    stats.update(CENTROIDS, torch.arange(3))
    head.cmi_centroids.set_from(stats)
    feats = (torch.randn(2, 4), )
    probs = F.softmax(head(feats), 1).detach()
    head.loss(feats, data_samples([0, 0]))
    q = head.cmi_centroids.value
    assert torch.allclose(q[0], 0.5 * CENTROIDS[0] + 0.5 * probs.mean(0),
                          atol=1e-6)
    assert torch.equal(q[1:], CENTROIDS[1:])


def test_head_bad_config():
    with pytest.raises(TypeError, match='head.loss must be an mmkd_ext'):
        build_head(loss=dict(type='CrossEntropyLoss'))
    with pytest.raises(ValueError, match='ema_momentum'):
        build_head(ema_momentum=1.0)


def test_missing_class_warns_with_its_name(capsys):
    from mmengine.logging import MMLogger
    MMLogger.get_instance('mcmi_test')
    head = build_head()
    stats = ClassProbabilityStats(3)
    stats.update(CENTROIDS[:2], torch.tensor([0, 1]))
    head.cmi_centroids.set_from(stats, ('cat', 'dog', 'bird'))
    assert '2 (bird)' in capsys.readouterr().out
    assert torch.equal(head.cmi_centroids.value[2], torch.zeros(3))


class ListDataset:
    metainfo = dict(classes=('a', 'b', 'c'))

    def __init__(self, labels):
        self.labels = labels

    def get_gt_labels(self):
        return np.array(self.labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return dict(idx=idx, label=self.labels[idx])


def test_subset_is_stratified_seeded_and_drops_classes():
    labels = [0] * 40 + [1] * 20 + [2] * 60
    subset = LabelSubsetDataset(ListDataset(labels), fraction=0.1, seed=3)
    kept = [subset[i]['label'] for i in range(len(subset))]
    assert np.bincount(kept).tolist() == [4, 2, 6]
    again = LabelSubsetDataset(ListDataset(labels), fraction=0.1, seed=3)
    other = LabelSubsetDataset(ListDataset(labels), fraction=0.1, seed=4)
    assert np.array_equal(subset.indices, again.indices)
    assert not np.array_equal(subset.indices, other.indices)
    # a class keeps at least one sample
    tiny = LabelSubsetDataset(ListDataset(labels), fraction=0.01)
    assert np.bincount([tiny[i]['label'] for i in range(len(tiny))]).tolist() \
        == [1, 1, 1]
    zero_shot = LabelSubsetDataset(ListDataset(labels), drop_classes=[1])
    assert len(zero_shot) == 100
    assert all(zero_shot[i]['label'] != 1 for i in range(len(zero_shot)))
    assert zero_shot.metainfo['classes'] == ('a', 'b', 'c')


@pytest.mark.parametrize('kwargs, match', [
    (dict(fraction=0), r'fraction must be in \(0, 1\]'),
    (dict(fraction=1.5), r'fraction must be in \(0, 1\]'),
    (dict(drop_classes=[3]), r'drop_classes \[3\] outside the label range '
     r'\[0, 3\)'),
    (dict(drop_classes=[0, 1, 2]), 'removes every class'),
])
def test_subset_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LabelSubsetDataset(ListDataset([0, 1, 2]), **kwargs)


class Loader(list):
    """A list of batches with the ``dataset.metainfo`` of a dataloader."""
    dataset = ListDataset([0, 1, 2])


def tiny_classifier():
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(dict(
            type='ImageClassifier',
            backbone=dict(type='mmkd_ext.CifarResNet', depth=8,
                          widths=(4, 4, 4, 4)),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='mmkd_ext.MCMIHead', num_classes=3,
                      in_channels=4),
            data_preprocessor=dict(type='ClsDataPreprocessor')))


def hook_runner(model, epoch=0):
    from types import SimpleNamespace
    generator = torch.Generator().manual_seed(0)
    batches = Loader(
        dict(inputs=[torch.randint(0, 255, (3, 8, 8), dtype=torch.uint8,
                                   generator=generator) for _ in labels],
             data_samples=data_samples(labels))
        for labels in ([0, 1], [2, 0], [1, 2]))
    return SimpleNamespace(model=model, train_dataloader=batches,
                           epoch=epoch)


@pytest.mark.parametrize('model_mode', ['eval', 'train'])
def test_centroid_hook_pass(model_mode):
    from mmkd_ext.engine.hooks import MCMICentroidHook
    model = tiny_classifier()
    model.init_weights()
    model.train()
    runner = hook_runner(model)
    bn = model.backbone.stem[1]
    stats_before = bn.running_mean.clone()
    MCMICentroidHook(model_mode=model_mode).before_train(runner)
    assert model.training  # mode restored
    assert bool(model.head.cmi_centroids.computed)
    # row c is the mean eval-mode prediction over the class-c images
    model.eval()
    probs, labels = [], []
    with torch.no_grad():
        for data in runner.train_dataloader:
            data = model.data_preprocessor(data, False)
            probs.append(torch.softmax(model(**data, mode='tensor'), 1))
            labels += [int(s.gt_label) for s in data['data_samples']]
    probs, labels = torch.cat(probs), torch.tensor(labels)
    expected = torch.stack([probs[labels == c].mean(0) for c in range(3)])
    centroids = model.head.cmi_centroids.value
    updated_bn = not torch.equal(bn.running_mean, stats_before)
    assert updated_bn == (model_mode == 'train')
    if model_mode == 'eval':
        assert torch.allclose(centroids, expected, atol=1e-6)


def test_centroid_hook_recomputes_only_when_asked():
    from mmkd_ext.engine.hooks import MCMICentroidHook
    model = tiny_classifier()
    model.init_weights()
    runner = hook_runner(model, epoch=1)
    MCMICentroidHook().before_train(runner)
    first = model.head.cmi_centroids.value.clone()
    # a restored (already computed) state is kept at the start
    MCMICentroidHook().before_train(runner)
    with torch.no_grad():
        model.head.fc.bias.add_(torch.tensor([3.0, 0.0, 0.0]))
    MCMICentroidHook().before_train_epoch(runner)
    assert torch.equal(model.head.cmi_centroids.value, first)
    MCMICentroidHook(recompute_every_epoch=True).before_train_epoch(runner)
    assert model.head.cmi_centroids.value[:, 0].min() > first[:, 0].max()
    with pytest.raises(ValueError, match='model_mode'):
        MCMICentroidHook(model_mode='test')
