"""ACAM-KD: STCA-FF, ASCM, the per-level loss and the level-wise sum
against direct implementations of methods.md 1.3-1.5, on tiny tensors."""
from unittest import mock

import pytest
import torch
import torch.nn.functional as F

from mmkd_ext.models.losses import ACAMLoss, LevelwiseLoss
from mmkd_ext.models.losses.acam import dice_diversity, masked_feature_mse
from mmkd_ext.models.losses.utils import DistillInputError
from mmkd_ext.models.modules import ASCM, STCAFF
from mmkd_ext.registry import MODELS


def feats(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def conv1x1(conv, x):
    """(B, C_in, N) -> (B, C_out, N)."""
    return torch.einsum('oc,bcn->bon', conv.weight[:, :, 0, 0], x) + \
        conv.bias[None, :, None]


def dense_stcaff(module, teacher, student):
    """F_fused = V A^T with A = softmax_j(Q^T K / sqrt(C_q)), built as the
    full N x N matrix."""
    q = conv1x1(module.query, teacher.flatten(2))
    k = conv1x1(module.key, student.flatten(2))
    v = conv1x1(module.value, student.flatten(2))
    attn = torch.softmax(
        q.transpose(1, 2) @ k / module.query_channels**0.5, dim=2)
    return (v @ attn.transpose(1, 2)).view_as(teacher)


# -- STCA-FF ------------------------------------------------------------------
@pytest.mark.parametrize('channels', [8, 19])
def test_stcaff_matches_dense_attention(channels):
    torch.manual_seed(0)
    module = STCAFF(channels)
    assert module.query_channels == channels // 2  # 9 for 19 logits
    teacher = feats(2, channels, 5, 6)
    student = feats(2, channels, 5, 6, seed=1)
    torch.testing.assert_close(module(teacher, student),
                               dense_stcaff(module, teacher, student),
                               rtol=1e-4, atol=1e-5)


def test_stcaff_calls_attention_as_torch_2_0_can():
    """torch 2.0's scaled_dot_product_attention has no ``scale`` argument
    (it divides by the square root of the head width, here padded)."""
    sdpa = F.scaled_dot_product_attention

    def torch_2_0_sdpa(query, key, value, attn_mask=None, dropout_p=0.0,
                       is_causal=False):
        return sdpa(query, key, value, attn_mask, dropout_p, is_causal)

    torch.manual_seed(0)
    module = STCAFF(19)
    teacher, student = feats(2, 19, 5, 6), feats(2, 19, 5, 6, seed=1)
    with mock.patch.object(F, 'scaled_dot_product_attention',
                           torch_2_0_sdpa):
        out = module(teacher, student)
    torch.testing.assert_close(out, dense_stcaff(module, teacher, student),
                               rtol=1e-4, atol=1e-5)


def test_stcaff_residual_norm_and_kv_pooling():
    torch.manual_seed(0)
    teacher, student = feats(2, 8, 6, 6), feats(2, 8, 6, 6, seed=1)
    module = STCAFF(8, residual=True, norm=True, kv_pool_above=30)
    ref = dense_stcaff(module, teacher, F.avg_pool2d(student, 2)) + teacher
    ref = module.norm(ref.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
    torch.testing.assert_close(module(teacher, student), ref, rtol=1e-4,
                               atol=1e-5)
    module.kv_pool_above = 36  # not above: no pooling
    ref = dense_stcaff(module, teacher, student) + teacher
    ref = module.norm(ref.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
    torch.testing.assert_close(module(teacher, student), ref, rtol=1e-4,
                               atol=1e-5)


@pytest.mark.parametrize('channels', [256, 19])
def test_stcaff_uses_a_fused_kernel_not_the_dense_one(channels):
    """The fused kernels (flash here on CPU) keep memory linear in H*W; the
    math fallback, taken for unequal head widths or non-contiguous inputs,
    builds the N x N matrix. (torch < 2.2 has no fused kernel on CPU.)"""
    attention = pytest.importorskip('torch.nn.attention')
    seen = []
    sdpa = F.scaled_dot_product_attention

    def spy(q, k, v, **kwargs):
        seen.append(torch._fused_sdp_choice(q, k, v))
        return sdpa(q, k, v, **kwargs)

    module = STCAFF(channels)
    x = feats(1, channels, 4, 4, seed=2).requires_grad_()
    with mock.patch.object(F, 'scaled_dot_product_attention', spy):
        module(x, x).sum().backward()
    assert seen == [int(attention.SDPBackend.FLASH_ATTENTION)]


def test_stcaff_runs_in_fp32_under_autocast():
    module = STCAFF(8)
    x = feats(1, 8, 4, 4)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = module(x.bfloat16(), x.bfloat16())
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, module(x.bfloat16().float(),
                                           x.bfloat16().float()))


# -- ASCM ---------------------------------------------------------------------
@pytest.mark.parametrize('form, width', [('shared', 1), ('elementwise', 8)])
def test_ascm_masks_follow_the_definition(form, width):
    torch.manual_seed(0)
    module = ASCM(8, num_masks=3, channel_mask_form=form)
    assert module.channel_units.shape == (3, width)
    assert (module.channel_units > 0).all()
    fused = feats(2, 8, 4, 5)
    channel, spatial = module(fused)
    assert channel.shape == (2, 3, 8) and spatial.shape == (2, 3, 20)
    v = fused.mean(dim=(2, 3))
    for b in range(2):
        for m in range(3):
            torch.testing.assert_close(
                channel[b, m], torch.sigmoid(module.channel_units[m] * v[b]))
            torch.testing.assert_close(
                spatial[b, m], torch.sigmoid(
                    module.spatial_tokens[m] @ fused[b].flatten(1)))


@pytest.mark.parametrize('bad', [0, -1, 2.0])
def test_num_masks_below_one_is_refused(bad):
    with pytest.raises(ValueError, match='num_masks must be an int >= 1'):
        ASCM(8, bad)
    with pytest.raises(ValueError, match='num_masks must be an int >= 1'):
        MODELS.build(dict(type='mmkd_ext.ACAMLoss', student_channels=8,
                          teacher_channels=8, num_masks=bad))


def test_unknown_channel_mask_form():
    with pytest.raises(ValueError, match="channel_mask_form.*'both'"):
        ASCM(8, 2, channel_mask_form='both')


# -- losses -------------------------------------------------------------------
def reference_parts(diff, channel, spatial, normaliser='sum', eps=1e-6):
    """Loops over methods.md 1.5 ('sum': M^2 e / sum M) and the two
    weighted means ('squares': M^2 e / sum M^2, 'mean': M e / sum M).
    diff (B, C, N), masks (B, M, C/N)."""
    batch, c, n = diff.shape
    masks = channel.shape[1]

    def term(mask, sq_err, size):
        weights = mask if normaliser == 'mean' else mask**2
        mass = weights if normaliser == 'squares' else mask
        return (weights * sq_err).sum() / (size * mass.sum() + eps)

    l_c = l_s = l_div = 0
    for b in range(batch):
        for m in range(masks):
            mc, ms = channel[b, m], spatial[b, m]
            l_c += term(mc, (diff[b]**2).sum(1), n)
            l_s += term(ms, (diff[b]**2).sum(0), c)
            for j in range(masks):
                if j != m:
                    l_div += 2 * (ms * spatial[b, j]).sum() / (
                        (ms**2).sum() + (spatial[b, j]**2).sum() + eps)
    return (l_c / (batch * masks), l_s / (batch * masks),
            l_div / (batch * masks * (masks - 1)))


@pytest.mark.parametrize('normaliser', ['sum', 'squares', 'mean'])
def test_masked_losses_match_the_loops(normaliser):
    diff = feats(2, 6, 10)
    channel = torch.sigmoid(feats(2, 3, 6, seed=1))
    spatial = torch.sigmoid(feats(2, 3, 10, seed=2))
    l_c, l_s, l_div = reference_parts(diff, channel, spatial, normaliser)
    sq = diff.square()
    assert masked_feature_mse(sq.sum(2), channel, 10, 1e-6,
                              normaliser).item() == \
        pytest.approx(l_c.item(), rel=1e-5)
    assert masked_feature_mse(sq.sum(1), spatial, 6, 1e-6,
                              normaliser).item() == \
        pytest.approx(l_s.item(), rel=1e-5)
    assert dice_diversity(spatial, 1e-6).item() == \
        pytest.approx(l_div.item(), rel=1e-5)
    # identical masks are maximally similar, a single mask has no pairs
    assert dice_diversity(spatial[:, :1].expand(2, 3, 10), 1e-6).item() == \
        pytest.approx(1.0, rel=1e-5)
    assert dice_diversity(spatial[:, :1], 1e-6).item() == 0


def recompute(loss, student, teacher):
    """The aligned student feature and the channel and spatial masks that
    ``loss`` computes from these inputs."""
    aligned = loss.align(student)
    return (aligned, ) + loss.masks(loss.fusion(teacher, aligned))


@pytest.fixture
def acam_inputs():
    torch.manual_seed(0)
    return feats(2, 4, 5, 6).requires_grad_(), feats(2, 8, 5, 6, seed=1)


def test_acam_loss_is_the_weighted_sum_of_its_parts(acam_inputs):
    student, teacher = acam_inputs
    loss = ACAMLoss(4, 8, num_masks=3, alpha=0.5, lambda_div=2.0)
    parts = loss(student, teacher)
    total = parts['loss']
    aligned, channel, spatial = recompute(loss, student, teacher)
    l_c, l_s, l_div = reference_parts(
        (teacher - aligned).flatten(2), channel, spatial, 'mean')
    assert parts['channel'].item() == pytest.approx(l_c.item(), rel=1e-5)
    assert parts['spatial'].item() == pytest.approx(l_s.item(), rel=1e-5)
    assert parts['div'].item() == pytest.approx(l_div.item(), rel=1e-5)
    assert total.item() == pytest.approx(
        0.5 * (l_c + l_s).item() + 2.0 * l_div.item(), rel=1e-5)
    assert parts['coverage'].item() == pytest.approx(spatial.mean().item())
    assert 0 < parts['entropy'].item() <= 1
    torch.testing.assert_close(loss.spatial_masks(student, teacher),
                               spatial.detach().unflatten(2, (5, 6)))
    # one optimizer step trains the student and every ACAM parameter
    total.backward()
    assert student.grad.abs().sum() > 0
    for name, param in loss.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def test_teacher_gets_no_gradient(acam_inputs):
    student, teacher = acam_inputs
    teacher = teacher.clone().requires_grad_()
    ACAMLoss(4, 8, num_masks=2)(student, teacher)['loss'].backward()
    assert teacher.grad is None


def test_detach_masks_in_kd_trains_masks_by_diversity_only(acam_inputs):
    student, teacher = acam_inputs
    torch.manual_seed(0)
    loss = ACAMLoss(4, 8, num_masks=3, lambda_div=0.0,
                    detach_masks_in_kd=True)
    loss(student, teacher)['loss'].backward()
    for module in (loss.masks, loss.fusion):
        assert all(p.grad is None or not p.grad.any()
                   for p in module.parameters())
    assert loss.align.weight.grad.abs().sum() > 0


def test_literal_loss_shrinks_with_the_masks_weighted_means_do_not():
    """The collapse of the README: the literal loss is linear in a common
    mask scale, the two other normalisers give weighted means of the
    errors."""
    sq_err = feats(2, 10).square()
    masks = torch.sigmoid(feats(2, 3, 10, seed=1))
    literal = [masked_feature_mse(sq_err, s * masks, 4, 0.0, 'sum')
               for s in (1.0, 0.1)]
    assert literal[1].item() == pytest.approx(0.1 * literal[0].item())
    for normaliser in ('squares', 'mean'):
        free = [masked_feature_mse(sq_err, s * masks, 4, 0.0, normaliser)
                for s in (1.0, 0.1)]
        assert free[1].item() == pytest.approx(free[0].item())
        # flat masks give the plain mean of the errors
        flat = masked_feature_mse(sq_err, torch.full((2, 3, 10), 0.3), 4,
                                  0.0, normaliser)
        assert flat.item() == pytest.approx(sq_err.mean().item() / 4)


@pytest.mark.parametrize('kwargs, normaliser, reversed_', [
    (dict(), 'mean', True),
    (dict(literal=True), 'sum', False),
    (dict(mask_normaliser='squares'), 'squares', True),
    (dict(detach_masks_in_kd=True), 'mean', False)])
def test_defaults_and_the_literal_switch(acam_inputs, kwargs, normaliser,
                                         reversed_):
    student, teacher = acam_inputs
    torch.manual_seed(0)
    loss = ACAMLoss(4, 8, num_masks=3, **kwargs)
    assert (loss.mask_normaliser, loss.reverse_masks_in_kd) == \
        (normaliser, reversed_)
    parts = loss(student, teacher)
    aligned, channel, spatial = recompute(loss, student, teacher)
    l_c, l_s, _ = reference_parts((teacher - aligned).flatten(2), channel,
                                  spatial, normaliser)
    assert parts['spatial'].item() == pytest.approx(l_s.item(), rel=1e-5)
    assert parts['channel'].item() == pytest.approx(l_c.item(), rel=1e-5)


def test_literal_does_not_combine_with_other_mask_switches():
    for kwargs in (dict(mask_normaliser='mean'),
                   dict(reverse_masks_in_kd=True)):
        with pytest.raises(ValueError, match='literal=True is the sum'):
            ACAMLoss(4, 8, literal=True, **kwargs)
    with pytest.raises(ValueError, match='mask_normaliser must be one of'):
        ACAMLoss(4, 8, mask_normaliser='max')


def test_collapse_guard_warns_once_naming_the_level(acam_inputs,
                                                    monkeypatch):
    import mmkd_ext.models.losses.acam as acam
    warnings = []
    monkeypatch.setattr(acam, 'print_log',
                        lambda msg, **kwargs: warnings.append(msg))
    student, teacher = acam_inputs
    loss = LevelwiseLoss(dict(type='ACAMLoss', student_channels=4,
                              teacher_channels=8, num_masks=2,
                              collapse_threshold=1.0, collapse_iters=3),
                         num_levels=2)
    for _ in range(5):  # coverage < 1 always: collapsed
        loss((student, student), (teacher, teacher))
    assert len(warnings) == 2  # once per level, at the 3rd iteration
    assert 'level 0, 5x6 feature map' in warnings[0]
    assert 'level 1,' in warnings[1] and 'literal=True' in warnings[1]
    loss.eval()
    assert loss.levels[0].collapsed_iters == 5
    loss((student, student), (teacher, teacher))  # not counted in eval
    assert loss.levels[0].collapsed_iters == 5
    # healthy masks never warn
    loss = ACAMLoss(4, 8, num_masks=2, collapse_iters=1)
    loss(student, teacher)
    assert len(warnings) == 2


def mask_and_student_grads(student, teacher, **kwargs):
    """Gradients of the KD terms alone (lambda_div=0) on the spatial-mask
    tokens and on the student (the masks trained jointly unless said)."""
    torch.manual_seed(0)
    kwargs.setdefault('reverse_masks_in_kd', False)
    loss = ACAMLoss(4, 8, num_masks=3, lambda_div=0.0, **kwargs)
    student.grad = None
    loss(student, teacher)['loss'].backward()
    return loss.masks.spatial_tokens.grad.clone(), student.grad.clone()


def test_reverse_masks_in_kd_negates_only_the_mask_gradient(acam_inputs):
    """The mask generator ascends the KD loss, the student still descends
    it; detaching leaves the generator no gradient from the KD terms."""
    student, teacher = acam_inputs
    for normaliser in ('sum', 'squares'):
        joint = mask_and_student_grads(student, teacher,
                                       mask_normaliser=normaliser)
        reverse = mask_and_student_grads(student, teacher,
                                         mask_normaliser=normaliser,
                                         reverse_masks_in_kd=True)
        assert joint[0].abs().sum() > 0
        torch.testing.assert_close(reverse[0], -joint[0])
        assert joint[1].abs().sum() > 0
        # the student reaches the masks through STCA-FF, so only its
        # direct part is shared: compare with the masks detached
        detached = mask_and_student_grads(student, teacher,
                                          mask_normaliser=normaliser,
                                          detach_masks_in_kd=True)
        assert not detached[0].any()
        torch.testing.assert_close(reverse[1] - detached[1],
                                   -(joint[1] - detached[1]))
    with pytest.raises(ValueError, match='exclude each other'):
        ACAMLoss(4, 8, detach_masks_in_kd=True, reverse_masks_in_kd=True)


def test_default_reversed_mask_gradient_reaches_the_student(acam_inputs):
    """With the defaults (weighted-mean masks through a gradient reversal,
    detach_student_in_stcaff=False) the student gets, besides the direct
    KD gradient, the reversed gradient of the masks through STCA-FF's key
    and value; detach_student_in_stcaff=True leaves the direct one only
    (configs/acamkd/README.md says so)."""
    student, teacher = acam_inputs
    direct = mask_and_student_grads(student, teacher, mask_normaliser='mean',
                                    detach_masks_in_kd=True)[1]
    default = mask_and_student_grads(student, teacher,
                                     reverse_masks_in_kd=True)[1]
    detached = mask_and_student_grads(student, teacher,
                                      reverse_masks_in_kd=True,
                                      detach_student_in_stcaff=True)[1]
    assert ACAMLoss(4, 8).detach_student_in_stcaff is False
    assert (default - direct).abs().max() > 1e-6
    torch.testing.assert_close(detached, direct)


def test_detach_student_in_stcaff(acam_inputs):
    """With only L_div, the student is reached through STCA-FF alone."""
    student, teacher = acam_inputs
    for detach, has_grad in ((False, True), (True, False)):
        student.grad = None
        ACAMLoss(4, 8, num_masks=3, alpha=0.0,
                 detach_student_in_stcaff=detach)(student,
                                                  teacher)['loss'].backward()
        assert (student.grad is not None and student.grad.any()) == has_grad


def test_div_on_channel_masks(acam_inputs):
    student, teacher = acam_inputs
    torch.manual_seed(0)
    plain = ACAMLoss(4, 8, num_masks=3)
    torch.manual_seed(0)
    with_channel = ACAMLoss(4, 8, num_masks=3, div_on_channel_masks=True)
    plain_div = plain(student, teacher)['div']
    with_div = with_channel(student, teacher)['div']
    _, channel, _ = recompute(plain, student, teacher)
    assert with_div.item() == pytest.approx(
        (plain_div + dice_diversity(channel, 1e-6)).item(), rel=1e-5)


def test_acam_loss_bad_shapes_are_named(acam_inputs):
    student, teacher = acam_inputs
    loss = ACAMLoss(4, 8)
    with pytest.raises(DistillInputError, match='spatial size'):
        loss(student[..., :4], teacher)
    with pytest.raises(DistillInputError,
                       match='student_channels/teacher_channels are 4/8'):
        loss(student, teacher[:, :6])
    with pytest.raises(DistillInputError, match='use LevelwiseLoss'):
        loss((student, ), (teacher, ))


# -- levels -------------------------------------------------------------------
def levelwise(num_levels=2, **kwargs):
    torch.manual_seed(0)
    return LevelwiseLoss(
        dict(type='ACAMLoss', student_channels=4, teacher_channels=8,
             num_masks=2), num_levels, **kwargs)


def pyramid(channels, sizes=(8, 4), seed=0):
    return tuple(feats(2, channels, s, s, seed=seed + s) for s in sizes)


def test_levelwise_sums_levels_and_averages_parts():
    loss = levelwise()
    student, teacher = pyramid(4), pyramid(8, seed=1)
    total = loss(student, teacher)
    per_level = [level(s, t) for level, s, t in
                 zip(loss.levels, student, teacher)]
    assert total['loss'].item() == pytest.approx(
        sum(p['loss'] for p in per_level).item(), rel=1e-6)
    for key in ('channel', 'spatial', 'div', 'coverage', 'entropy'):
        assert total[key].item() == pytest.approx(
            sum(p[key] for p in per_level).item() / 2, rel=1e-6)
    assert loss.levels[0] is not loss.levels[1]


def test_levelwise_level_count_mismatch():
    with pytest.raises(DistillInputError,
                       match='student tap has 2 feature levels and the '
                       'teacher tap 3'):
        levelwise()(pyramid(4), pyramid(8, (8, 4, 2)))
    with pytest.raises(DistillInputError, match='num_levels is 3'):
        levelwise(3)(pyramid(4), pyramid(8))


def test_levelwise_spatial_mismatch_names_the_level_and_resizes_on_request():
    student, teacher = pyramid(4, (8, 3)), pyramid(8)
    with pytest.raises(DistillInputError,
                       match=r'level 1: student feature map is \(3, 3\) and '
                       r'teacher feature map \(4, 4\).*resize_student=True'):
        levelwise()(student, teacher)
    loss = levelwise(resize_student=True)
    resized = F.interpolate(student[1], size=(4, 4), mode='bilinear',
                            align_corners=False)
    assert loss(student, teacher)['loss'].item() == pytest.approx(
        (loss.levels[0](student[0], teacher[0])['loss'] +
         loss.levels[1](resized, teacher[1])['loss']).item(), rel=1e-6)
