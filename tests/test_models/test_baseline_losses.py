"""The baseline losses (DKD, DIST, CWD, PKD, MGD, FGD) equal their
authors' published implementations: value and gradients (w.r.t. the
student inputs and the loss's own parameters, under the same weights and,
for MGD, the same random mask) against the plain-torch references of
tests/baseline_references.py on random inputs of several shapes, in
float64, to 1e-5 (relative; absolute 1e-5 of the largest gradient)."""
import copy

import pytest
import torch
import torch.nn.functional as F

from baseline_references import (FGDLevelReference, MGDLevelReference,
                                 cwd_detection_reference, cwd_reference,
                                 dist_reference, dkd_reference,
                                 pkd_reference)
from mmkd_ext.models.losses import (CWDLoss, DISTLoss, DKDLoss, FGDLoss,
                                    KDLoss, MGDLoss, PKDLoss)
from mmkd_ext.models.losses.fgd import box_area_masks
from mmkd_ext.models.losses.utils import DistillInputError

RTOL = 1e-5


def assert_equal_to_1e5(got, expected):
    """Relative 1e-5, with an absolute floor of 1e-5 of the largest
    entry (gradients have entries near 0), and of 1e-12 for gradients
    that are 0 up to rounding (a softmax ignores the bias of the conv in
    front of it)."""
    scale = expected.abs().max().item()
    torch.testing.assert_close(got, expected, rtol=RTOL,
                               atol=max(RTOL * scale, 1e-12))


def value_and_grads(fn, tensors):
    value = fn()
    grads = torch.autograd.grad(value, tensors, allow_unused=True)
    return value.detach(), [torch.zeros_like(t) if g is None else g
                            for t, g in zip(tensors, grads)]


def compare(ours, reference, tensors):
    value, grads = value_and_grads(ours, tensors)
    ref_value, ref_grads = value_and_grads(reference, tensors)
    assert_equal_to_1e5(value, ref_value)
    for got, expected in zip(grads, ref_grads):
        assert_equal_to_1e5(got, expected)
    return value


def cls_samples(labels):
    from mmpretrain.structures import DataSample
    return [DataSample().set_gt_label(int(y)) for y in labels]


def det_samples(boxes_per_image, img_shape):
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    out = []
    for boxes in boxes_per_image:
        sample = DetDataSample(metainfo=dict(img_shape=img_shape,
                                             batch_input_shape=img_shape))
        sample.gt_instances = InstanceData(
            bboxes=boxes, labels=torch.zeros(len(boxes), dtype=torch.long))
        out.append(sample)
    return out


def random_boxes(gen, num, height, width):
    xy = torch.rand(num, 2, generator=gen, dtype=torch.float64) * \
        torch.tensor([width * 0.7, height * 0.7], dtype=torch.float64)
    wh = 2 + torch.rand(num, 2, generator=gen, dtype=torch.float64) * \
        torch.tensor([width * 0.3, height * 0.3], dtype=torch.float64)
    return torch.cat([xy, xy + wh], 1)


# -- DKD ----------------------------------------------------------------------
@pytest.mark.parametrize('batch, classes, alpha, beta, tau', [
    (4, 5, 1.0, 8.0, 4.0), (16, 10, 1.0, 0.5, 1.0), (7, 100, 1.0, 2.0, 1.0),
    (32, 1000, 0.5, 2.0, 2.0)])
def test_dkd_equals_mdistiller(batch, classes, alpha, beta, tau):
    """megvii-research/mdistiller@a08d46f10d6102bd6e3f258ca5ac880b020ea259,
    mdistiller/distillers/DKD.py (dkd_loss)."""
    gen = torch.Generator().manual_seed(batch * classes)
    s = (torch.randn(batch, classes, generator=gen, dtype=torch.float64)
         * 3).requires_grad_()
    t = torch.randn(batch, classes, generator=gen, dtype=torch.float64) * 3
    y = torch.randint(0, classes, (batch, ), generator=gen)
    loss = DKDLoss(alpha=alpha, beta=beta, temperature=tau, loss_weight=1.5)
    compare(lambda: loss(s, t, cls_samples(y))['loss'],
            lambda: 1.5 * dkd_reference(s, t, y, alpha, beta, tau), [s])


def test_dkd_parts_recompose_classical_kd():
    """KD = TCKD + (1 - p^T_y) NCKD per sample: with one sample the logged
    parts rebuild KDLoss."""
    gen = torch.Generator().manual_seed(0)
    s = torch.randn(1, 7, generator=gen, dtype=torch.float64)
    t = torch.randn(1, 7, generator=gen, dtype=torch.float64)
    y = torch.tensor([3])
    out = DKDLoss(temperature=2.0)(s, t, cls_samples(y))
    p_y = F.softmax(t / 2.0, 1)[0, 3]
    kd = KDLoss(temperature=2.0)(s, t)
    assert (out['tckd'] + (1 - p_y) * out['nckd']).item() == pytest.approx(
        kd.item(), rel=1e-6)


def test_dkd_is_finite_for_extreme_logits():
    s = torch.tensor([[80., -80., 0.]], requires_grad=True)
    t = torch.tensor([[-80., 80., 0.]])
    out = DKDLoss(temperature=1.0)(s, t, cls_samples(torch.tensor([0])))
    out['loss'].backward()
    assert torch.isfinite(out['loss']) and torch.isfinite(s.grad).all()


def test_dkd_errors_name_the_argument():
    with pytest.raises(DistillInputError, match='same classes'):
        DKDLoss()(torch.randn(2, 3), torch.randn(2, 4),
                  cls_samples(torch.tensor([0, 1])))
    with pytest.raises(DistillInputError, match='student_logits must be'):
        DKDLoss()(torch.randn(2, 3, 4, 4), torch.randn(2, 3, 4, 4),
                  cls_samples(torch.tensor([0, 1])))
    with pytest.raises(DistillInputError, match='gt_label values'):
        DKDLoss()(torch.randn(2, 3), torch.randn(2, 3),
                  cls_samples(torch.tensor([0, 3])))


# -- DIST ---------------------------------------------------------------------
@pytest.mark.parametrize('shape, beta, gamma, tau', [
    ((8, 10), 1.0, 1.0, 1.0), ((32, 100), 2.0, 2.0, 1.0),
    ((5, 1000), 1.0, 2.0, 4.0), ((2, 19, 6, 9), 1.0, 1.0, 1.0)])
def test_dist_equals_authors(shape, beta, gamma, tau):
    """hunto/image_classification_sota@6f7a70a1dd57fd88413d83909d3d53243068f701
    lib/models/losses/dist_kd.py (DIST; the classification submodule of
    hunto/DIST_KD@2418f18b1fedd7c2646a7b1b9a27d5c674c2170b, whose
    segmentation/losses/dist_kd.py gives the dense (B, C, H, W) case)."""
    gen = torch.Generator().manual_seed(sum(shape))
    s = (torch.randn(*shape, generator=gen, dtype=torch.float64)
         * 2).requires_grad_()
    t = torch.randn(*shape, generator=gen, dtype=torch.float64) * 2
    loss = DISTLoss(beta=beta, gamma=gamma, temperature=tau, loss_weight=2.0)
    compare(lambda: loss(s, t)['loss'],
            lambda: 2.0 * dist_reference(s, t, beta, gamma, tau), [s])


def test_dist_is_zero_for_affinely_related_predictions():
    t = torch.randn(6, 8)
    out = DISTLoss()(t, t)
    assert out['loss'].item() == pytest.approx(0, abs=1e-6)


def test_dist_rejects_bad_shapes():
    with pytest.raises(DistillInputError, match='same classes'):
        DISTLoss()(torch.randn(2, 3), torch.randn(2, 4))
    with pytest.raises(DistillInputError, match='student_logits must be'):
        DISTLoss()(torch.randn(2, 3, 4), torch.randn(2, 3, 4))


# -- CWD ----------------------------------------------------------------------
@pytest.mark.parametrize('shapes, tau', [
    ([(2, 19, 8, 16)], 4.0), ([(4, 8, 16, 16), (4, 8, 8, 8), (4, 8, 4, 4)],
                              1.0),
    ([(3, 5, 7, 9)], 2.0)])
def test_cwd_equals_authors(shapes, tau):
    """irfanICMLL/TorchDistiller@78bac7cbe50634e0b880ef37eb8cd7e2560806e4
    SemSeg-distill/utils/criterion.py (CriterionCWD, norm_type='channel',
    divergence='kl'), summed over levels as MMRazor's per-level losses
    (open-mmlab/mmrazor@90c7af1fdf35a606a2fceaaeb4b6be2f0dac4eb7
    mmrazor/models/losses/cwd.py). The detection release
    (pppppM/mmdetection-distiller@7a8a1306c35bd0521946870179f0c475db4cacd8
    mmdet/distillation/losses/cwd.py) has the same gradients and a value
    larger by the teacher's entropy."""
    gen = torch.Generator().manual_seed(len(shapes))
    s = [(torch.randn(*sh, generator=gen, dtype=torch.float64) *
          2).requires_grad_() for sh in shapes]
    t = [torch.randn(*sh, generator=gen, dtype=torch.float64) * 2
         for sh in shapes]
    loss = CWDLoss(temperature=tau, loss_weight=3.0)
    compare(lambda: loss(s, t),
            lambda: 3.0 * sum(cwd_reference(a, b, tau)
                              for a, b in zip(s, t)), s)
    # detection release: same gradients, value + teacher entropy
    _, grads = value_and_grads(lambda: loss(s, t), s)
    _, det_grads = value_and_grads(
        lambda: 3.0 * sum(cwd_detection_reference(a, b, tau)
                          for a, b in zip(s, t)), s)
    for got, expected in zip(grads, det_grads):
        assert_equal_to_1e5(got, expected)


def test_cwd_levels_and_align_conv():
    """``levels=[0, 1, 2, 3]`` distils P3-P6 of five levels (the authors'
    detection config), through the align convs of their release."""
    gen = torch.Generator().manual_seed(0)
    sizes = [16, 8, 4, 2, 1]
    s = [torch.randn(2, 4, n, n, generator=gen, dtype=torch.float64)
         .requires_grad_() for n in sizes]
    t = [torch.randn(2, 6, n, n, generator=gen, dtype=torch.float64)
         for n in sizes]
    loss = CWDLoss(student_channels=4, teacher_channels=6, levels=[0, 1, 2,
                                                                   3]).double()
    assert len(loss.align.convs) == 4
    params = list(loss.parameters())
    compare(lambda: loss(s, t),
            lambda: sum(cwd_reference(conv(a), b, 1.0) for conv, a, b in
                        zip(loss.align.convs, s[:4], t[:4])), s + params)
    with pytest.raises(DistillInputError, match=r'levels \[0, 5\].*5 levels'):
        CWDLoss(levels=[0, 5])(s, t)
    with pytest.raises(ValueError, match='num_levels is 3 but levels'):
        CWDLoss(levels=[0, 1], num_levels=3)


def test_cwd_errors_name_the_level():
    with pytest.raises(DistillInputError, match='level 0.*student_channels'):
        CWDLoss()(torch.randn(2, 4, 8, 8), torch.randn(2, 6, 8, 8))
    with pytest.raises(DistillInputError, match='2 feature levels'):
        CWDLoss()([torch.randn(1, 2, 2, 2)] * 2, [torch.randn(1, 2, 2, 2)])


# -- PKD ----------------------------------------------------------------------
@pytest.mark.parametrize('student_shapes, teacher_shapes', [
    ([(2, 8, 16, 16)], [(2, 8, 16, 16)]),
    ([(4, 16, 32, 24), (4, 16, 16, 12), (4, 16, 8, 6), (4, 16, 4, 3)],
     [(4, 16, 32, 24), (4, 16, 16, 12), (4, 16, 8, 6), (4, 16, 4, 3)]),
    ([(3, 6, 8, 8)], [(3, 6, 16, 16)])])
def test_pkd_equals_mmrazor(student_shapes, teacher_shapes):
    """open-mmlab/mmrazor@90c7af1fdf35a606a2fceaaeb4b6be2f0dac4eb7
    mmrazor/models/losses/pkd_loss.py (PKDLoss, resize_stu=True; one loss
    per level, summed, as MMRazor's configs)."""
    gen = torch.Generator().manual_seed(len(student_shapes))
    s = [(torch.randn(*sh, generator=gen, dtype=torch.float64) * 3 + 1)
         .requires_grad_() for sh in student_shapes]
    t = [torch.randn(*sh, generator=gen, dtype=torch.float64) * 5 - 2
         for sh in teacher_shapes]
    loss = PKDLoss(loss_weight=6.0)
    compare(lambda: loss(s, t), lambda: pkd_reference(s, t, 6.0), s)


def test_pkd_ignores_feature_magnitude_and_selects_levels():
    gen = torch.Generator().manual_seed(1)
    s = [torch.randn(2, 4, 8, 8, generator=gen) for _ in range(3)]
    t = [torch.randn(2, 4, 8, 8, generator=gen) for _ in range(3)]
    loss = PKDLoss(levels=[1])
    assert loss(s, t).item() == pytest.approx(
        loss([10 * x + 3 for x in s], t).item(), rel=1e-4)
    assert loss(s, t).item() == pytest.approx(
        pkd_reference(s[1:2], t[1:2]).item(), rel=1e-5)
    assert PKDLoss()(t, t).item() == pytest.approx(0, abs=1e-6)


# -- MGD ----------------------------------------------------------------------
@pytest.mark.parametrize('student_ch, teacher_ch, sizes, alpha, lambda_', [
    (8, 8, [(2, 12, 10)], 2e-5, 0.65),
    (4, 8, [(2, 16, 16), (2, 8, 8), (2, 4, 4), (2, 2, 2), (2, 1, 1)], 2e-5,
     0.65),
    (16, 16, [(3, 10, 14), (3, 5, 7), (3, 3, 4), (3, 2, 2)], 5e-7, 0.45)])
def test_mgd_equals_authors_under_the_same_mask(student_ch, teacher_ch,
                                                sizes, alpha, lambda_):
    """yzd-v/MGD@2c9da0b28625eb948db57afc02c824452c3910fe
    det/mmdet/distillation/losses/mgd.py (FeatureLoss: one per level,
    summed); the same generation/align weights, and the same masks: both
    draw ``rand((N, 1, H, W))`` level after level from the same seed."""
    gen = torch.Generator().manual_seed(len(sizes))
    s = [torch.randn(n, student_ch, h, w, generator=gen,
                     dtype=torch.float64).requires_grad_()
         for n, h, w in sizes]
    t = [torch.randn(n, teacher_ch, h, w, generator=gen, dtype=torch.float64)
         for n, h, w in sizes]
    loss = MGDLoss(teacher_channels=teacher_ch, student_channels=student_ch,
                   num_levels=len(sizes), alpha_mgd=alpha,
                   lambda_mgd=lambda_).double()
    refs = [MGDLevelReference(student_ch, teacher_ch, alpha,
                              lambda_).double() for _ in sizes]
    for level, ref in enumerate(refs):
        ref.generation.load_state_dict(loss.generation[level].state_dict())
        if ref.align is not None:
            ref.align.load_state_dict(loss.align.convs[level].state_dict())
    params = list(loss.parameters())
    ref_params = mgd_ref_param_order(loss, refs)
    assert len(params) == len(ref_params)
    torch.manual_seed(7)
    value, grads = value_and_grads(lambda: loss(s, t), s + params)
    torch.manual_seed(7)
    ref_value, ref_grads = value_and_grads(
        lambda: sum(ref(a, b) for ref, a, b in zip(refs, s, t)),
        s + ref_params)
    assert_equal_to_1e5(value, ref_value)
    for got, expected in zip(grads, ref_grads):
        assert_equal_to_1e5(got, expected)


def mgd_ref_param_order(loss, refs):
    """The reference parameters in the order of ``loss.parameters()``."""
    out = []
    for name, _ in loss.named_parameters():
        parts = name.split('.')
        if parts[0] == 'align':  # align.convs.<level>.<weight|bias>
            out.append(getattr(refs[int(parts[2])].align, parts[3]))
        else:  # generation.<level>.<index>.<weight|bias>
            out.append(getattr(refs[int(parts[1])].generation[int(parts[2])],
                               parts[3]))
    return out


def test_mgd_mask_ratio():
    loss = MGDLoss(teacher_channels=1, lambda_mgd=0.65)
    torch.manual_seed(0)
    kept = loss.draw_mask(torch.zeros(64, 1, 32, 32)).mean().item()
    assert kept == pytest.approx(0.35, abs=0.01)


def test_mgd_errors():
    loss = MGDLoss(teacher_channels=8, num_levels=2)
    with pytest.raises(DistillInputError, match='num_levels is 2'):
        loss([torch.randn(1, 8, 4, 4)] * 3, [torch.randn(1, 8, 4, 4)] * 3)
    with pytest.raises(DistillInputError, match='student_channels says 8'):
        loss([torch.randn(1, 4, 4, 4)] * 2, [torch.randn(1, 8, 4, 4)] * 2)
    with pytest.raises(ValueError, match='lambda_mgd'):
        MGDLoss(teacher_channels=8, lambda_mgd=1.5)


# -- FGD ----------------------------------------------------------------------
def fgd_pair(student_ch, teacher_ch, num_levels, weights):
    loss = FGDLoss(teacher_channels=teacher_ch, student_channels=student_ch,
                   num_levels=num_levels, **weights).double()
    refs = [FGDLevelReference(
        student_ch, teacher_ch, weights['temperature'], weights['alpha_fgd'],
        weights['beta_fgd'], weights['gamma_fgd'],
        weights['lambda_fgd']).double() for _ in range(num_levels)]
    gen = torch.Generator().manual_seed(3)
    for level, ref in enumerate(refs):
        # random weights everywhere (the released init zeroes the last
        # conv of each context block, which would hide its gradients)
        for p in loss.student_context[level].parameters():
            p.data = torch.randn(p.shape, generator=gen,
                                 dtype=torch.float64) * 0.3
        for p in loss.teacher_context[level].parameters():
            p.data = torch.randn(p.shape, generator=gen,
                                 dtype=torch.float64) * 0.3
        student, teacher = (loss.student_context[level],
                            loss.teacher_context[level])
        ref.conv_mask_s.load_state_dict(student.conv_mask.state_dict())
        ref.conv_mask_t.load_state_dict(teacher.conv_mask.state_dict())
        ref.channel_add_conv_s.load_state_dict(
            student.channel_add.state_dict())
        ref.channel_add_conv_t.load_state_dict(
            teacher.channel_add.state_dict())
        if ref.align is not None:
            ref.align.load_state_dict(loss.align.convs[level].state_dict())
    return loss, refs


def ref_param_order(loss, refs):
    """The reference parameters in the order of ``loss.parameters()``."""
    names = {'student_context': ('conv_mask_s', 'channel_add_conv_s'),
             'teacher_context': ('conv_mask_t', 'channel_add_conv_t')}
    out = []
    for name, _ in loss.named_parameters():
        parts = name.split('.')
        if parts[0] == 'align':
            ref = refs[int(parts[2])]
            out.append(getattr(ref.align, parts[3]))
            continue
        ref = refs[int(parts[1])]
        mask_name, add_name = names[parts[0]]
        if parts[2] == 'conv_mask':
            out.append(getattr(getattr(ref, mask_name), parts[3]))
        else:
            out.append(getattr(getattr(ref, add_name)[int(parts[3])],
                               parts[4]))
    return out


RETINA = dict(temperature=0.5, alpha_fgd=1e-3, beta_fgd=5e-4,
              gamma_fgd=5e-4, lambda_fgd=5e-6)
TWO_STAGE = dict(temperature=0.5, alpha_fgd=5e-5, beta_fgd=2.5e-5,
                 gamma_fgd=5e-5, lambda_fgd=5e-7)


@pytest.mark.parametrize('student_ch, teacher_ch, sizes, image, weights', [
    (8, 8, [(16, 16)], (64, 64), RETINA),
    (4, 8, [(16, 20), (8, 10), (4, 5)], (61, 77), RETINA),
    (16, 16, [(24, 12), (12, 6), (6, 3), (3, 2)], (96, 45), TWO_STAGE)])
def test_fgd_equals_authors(student_ch, teacher_ch, sizes, image, weights):
    """yzd-v/FGD@c03a6cf3b3cb3cbfd5554dbf4766e7135747d22d
    mmdet/distillation/losses/fgd.py (FeatureLoss: one per level, summed),
    with the same align/context-block weights, boxes scaled by img_shape
    (an image smaller than the feature's span, so that the scaling
    matters), images without boxes and overlapping boxes included."""
    gen = torch.Generator().manual_seed(len(sizes))
    batch = 3
    boxes = [random_boxes(gen, 4, *image), random_boxes(gen, 1, *image),
             torch.zeros(0, 4, dtype=torch.float64)]
    boxes[0][1] = boxes[0][0] + 1.5  # overlapping boxes
    samples = det_samples(boxes, image)
    s = [(torch.randn(batch, student_ch, h, w, generator=gen,
                      dtype=torch.float64) * 2).requires_grad_()
         for h, w in sizes]
    t = [torch.randn(batch, teacher_ch, h, w, generator=gen,
                     dtype=torch.float64) * 2 for h, w in sizes]
    loss, refs = fgd_pair(student_ch, teacher_ch, len(sizes), weights)
    params = list(loss.parameters())
    ref_params = ref_param_order(loss, refs)
    value, grads = value_and_grads(lambda: loss(s, t, samples)['loss'],
                                   s + params)
    ref_value, ref_grads = value_and_grads(
        lambda: sum(ref(a, b, [x.gt_instances.bboxes for x in samples],
                        [x.img_shape for x in samples])
                    for ref, a, b in zip(refs, s, t)), s + ref_params)
    assert_equal_to_1e5(value, ref_value)
    for got, expected in zip(grads, ref_grads):
        assert_equal_to_1e5(got, expected)


def test_fgd_masks_as_the_authors_build_them():
    # a 32x32 image, an 8x8 level: the box (4, 4, 12, 9) -> cells
    # floor(1)..ceil(3) x floor(1)..ceil(2.25): rows 1-3, columns 1-3,
    # each 1/9; the rest is background, 1/55 each
    samples = det_samples([torch.tensor([[4., 4., 12., 9.]])], (32, 32))
    fg, bg = box_area_masks(samples, (8, 8))
    expected = torch.zeros(8, 8)
    expected[1:4, 1:4] = 1 / 9
    torch.testing.assert_close(fg[0], expected)
    assert bg[0].sum().item() == pytest.approx(1.0)
    assert bg[0, 0, 0].item() == pytest.approx(1 / 55)
    # batch_input_shape: the padded 64x64 batch halves the box on the level
    samples[0].set_metainfo(dict(batch_input_shape=(64, 64)))
    fg, _ = box_area_masks(samples, (8, 8), 'batch_input_shape')
    assert fg[0].nonzero().max().item() == 2


def test_fgd_released_init_and_logged_parts():
    loss = FGDLoss(teacher_channels=8, num_levels=2)
    for block in (*loss.student_context, *loss.teacher_context):
        assert not block.channel_add[-1].weight.any()
        assert not block.conv_mask.bias.any()
    s = [torch.randn(2, 8, 8, 8), torch.randn(2, 8, 4, 4)]
    t = [torch.randn(2, 8, 8, 8), torch.randn(2, 8, 4, 4)]
    samples = det_samples([torch.tensor([[2., 2., 20., 20.]]),
                           torch.zeros(0, 4)], (32, 32))
    out = loss(s, t, samples)
    assert set(out) == {'loss', 'fg', 'bg', 'attention', 'global'}
    # with the released init the context blocks add nothing yet
    plain = sum((a - b).square().sum() / 2 for a, b in zip(s, t))
    assert out['global'].item() == pytest.approx(plain.item(), rel=1e-5)
    total = 1e-3 * out['fg'] + 5e-4 * out['bg'] + 1e-3 * out['attention'] \
        + 5e-6 * out['global']
    assert out['loss'].item() == pytest.approx(total.item(), rel=1e-6)


def test_fgd_errors():
    loss = FGDLoss(teacher_channels=8, num_levels=1)
    with pytest.raises(DistillInputError, match='gt_instances'):
        loss(torch.randn(1, 8, 4, 4), torch.randn(1, 8, 4, 4),
             cls_samples(torch.tensor([0])))
    with pytest.raises(DistillInputError, match='teacher_channels says 8'):
        FGDLoss(teacher_channels=8, student_channels=4)(
            torch.randn(1, 4, 4, 4), torch.randn(1, 6, 4, 4),
            det_samples([torch.zeros(0, 4)], (16, 16)))
    with pytest.raises(ValueError, match='box_scale'):
        FGDLoss(teacher_channels=8, box_scale='pad_shape')


def test_losses_can_be_deep_copied():
    for loss in (MGDLoss(teacher_channels=4), FGDLoss(teacher_channels=4),
                 CWDLoss(student_channels=4, teacher_channels=8)):
        copy.deepcopy(loss)
