"""PS-KD memory, head and hook (unit level)."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.registry import DefaultScope

from mmkd_ext.models.heads import PredictionMemory, bytes_per_sample
from mmkd_ext.models.losses.utils import DistillInputError
from mmkd_ext.registry import MODELS


def test_bytes_per_sample_at_imagenet_scale():
    assert bytes_per_sample('fp32', 1000) == 4000
    assert bytes_per_sample('fp16', 1000) == 2000
    assert bytes_per_sample('topk', 1000, topk=24) == 96 <= 100
    for mode, expected in (('fp32', 4000), ('fp16', 2000), ('topk', 96)):
        memory = PredictionMemory(1000, mode=mode)
        memory.allocate(10)
        stored = sum(b.numel() * b.element_size() for name, b in
                     memory.named_buffers() if name != 'alpha')
        assert stored == 10 * expected


@pytest.mark.parametrize('mode', ['fp32', 'fp16', 'topk'])
def test_memory_reads_one_hot_until_written(mode):
    memory = PredictionMemory(6, mode=mode, topk=3)
    memory.allocate(5)
    labels = torch.tensor([1, 4])
    first = memory.read(torch.tensor([0, 3]), labels)
    assert torch.equal(first, F.one_hot(labels, 6).float())
    probs = F.softmax(torch.tensor([[4., 3., 2., 0., 0., 0.],
                                    [0., 0., 0., 1., 5., 2.]]), 1)
    memory.write(torch.tensor([0, 3]), probs)
    back = memory.read(torch.tensor([3, 0, 2]), torch.tensor([4, 1, 2]))
    assert torch.allclose(back.sum(1), torch.ones(3), atol=1e-3)
    tol = 1e-6 if mode == 'fp32' else 2e-2
    assert torch.allclose(back[:2], probs.flip(0), atol=tol)
    assert torch.equal(back[2], F.one_hot(torch.tensor(2), 6).float())


def test_topk_spreads_the_rest_uniformly():
    memory = PredictionMemory(5, mode='topk', topk=2)
    memory.allocate(1)
    memory.write(torch.tensor([0]), torch.tensor([[0.5, 0.3, 0.1, 0.05,
                                                   0.05]]))
    back = memory.read(torch.tensor([0]), torch.tensor([0]))[0]
    assert torch.allclose(back, torch.tensor([0.5, 0.3, 0.2 / 3, 0.2 / 3,
                                              0.2 / 3]), atol=1e-3)


def test_memory_errors():
    memory = PredictionMemory(3)
    with pytest.raises(RuntimeError, match='PSKDHook'):
        memory.read(torch.tensor([0]), torch.tensor([0]))
    memory.allocate(4)
    with pytest.raises(IndexError, match='sample_idx 7 is outside'):
        memory.read(torch.tensor([1, 7]), torch.tensor([0, 0]))
    with pytest.raises(ValueError, match='mode'):
        PredictionMemory(3, mode='int8')


def test_memory_state_restores_size_rows_and_alpha():
    memory = PredictionMemory(4, mode='fp16')
    memory.allocate(6)
    memory.alpha.fill_(0.3)
    memory.write(torch.tensor([2]), torch.tensor([[0.1, 0.2, 0.3, 0.4]]))
    fresh = PredictionMemory(4, mode='fp16')
    fresh.load_state_dict(memory.state_dict())
    assert len(fresh) == 6 and float(fresh.alpha) == pytest.approx(0.3)
    assert torch.equal(fresh.probs, memory.probs)


def head(**kwargs):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(dict(type='mmkd_ext.PSKDHead', num_classes=3,
                                 in_channels=4, **kwargs))


def samples(indices, labels, score=False):
    from mmpretrain.structures import DataSample
    out = []
    for i, y in zip(indices, labels):
        s = DataSample().set_gt_label(y)
        if i is not None:
            s.set_metainfo(dict(sample_idx=i))
        if score:
            s.set_gt_score(F.one_hot(torch.tensor(y), 3).float())
        out.append(s)
    return out


def test_head_targets_mix_previous_predictions():
    model = head(alpha_T=0.5)
    model.memory.allocate(4)
    feats = (torch.randn(2, 4), )
    data = samples([0, 3], [1, 2])
    model.set_epoch(0, 2)  # alpha 0.25, memory empty: hard targets
    first = model.loss(feats, data)['loss']
    assert first.item() == pytest.approx(
        F.cross_entropy(model(feats), torch.tensor([1, 2])).item(), rel=1e-5)
    stored = model.memory.read(torch.tensor([0, 3]), torch.tensor([1, 2]))
    assert torch.allclose(stored, F.softmax(model(feats), 1), atol=1e-6)
    model.set_epoch(1, 2)  # alpha 0.5
    second = model.loss(feats, data)['loss']
    target = 0.5 * F.one_hot(torch.tensor([1, 2]), 3) + 0.5 * stored
    expected = -(target * F.log_softmax(model(feats), 1)).sum(1).mean()
    assert second.item() == pytest.approx(expected.item(), rel=1e-5)


def test_head_bad_input():
    model = head()
    model.memory.allocate(2)
    feats = (torch.randn(1, 4), )
    with pytest.raises(DistillInputError, match='sample_idx'):
        model.loss(feats, samples([None], [0]))
    with pytest.raises(DistillInputError, match='mixup'):
        model.loss(feats, samples([0], [0], score=True))
    with pytest.raises(IndexError, match='outside the PS-KD memory'):
        model.loss(feats, samples([5], [0]))


def test_export_leaves_the_declared_training_only_modules_out():
    from mmkd_ext.models.heads import ClassCentroids
    from mmkd_ext.models.losses import USKDLoss
    from mmkd_ext.utils.export import student_state_dict
    assert PredictionMemory.training_only and ClassCentroids.training_only
    assert USKDLoss.training_only
    head = nn.Module()
    head.fc = nn.Linear(2, 2)
    head.memory = PredictionMemory(4)
    model = nn.Module()
    model.head = head
    state = {'student.head.fc.weight': 1, 'student.head.memory.probs': 2,
             'teacher.head.fc.weight': 3}
    # by what the modules declare, not by names: 'memory' elsewhere stays
    assert student_state_dict(state, model) == {'head.fc.weight': 1}
    assert student_state_dict({'memory.x': 1}, nn.Module()) == \
        {'memory.x': 1}
