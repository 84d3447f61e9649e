"""HARD augmentors: identity at initialisation, exact warps, gradients
through the reparameterised sample, regularisers, shape checks."""
import pytest
import torch
import torch.nn as nn

from mmkd_ext.registry import MODELS


def build(**cfg):
    cfg.setdefault('_scope_', 'mmkd_ext')
    return MODELS.build(cfg)


def images(num=4, channels=1, size=12, seed=0):
    return torch.rand(num, channels, size, size,
                      generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize('translation_only', [True, False])
def test_affine_is_identity_without_noise(translation_only):
    aug = build(type='LearnedAffineAugmentor',
                translation_only=translation_only, init_std=0,
                learn_std=False)
    x = images()
    assert torch.allclose(aug(x), x, atol=1e-6)
    assert aug.regularizer().item() == 0
    names = {n for n, _ in aug.named_parameters()}
    assert names == {'delta.mean'}  # sigma fixed
    assert aug.delta.mean.numel() == (2 if translation_only else 6)


def test_translation_by_whole_pixels_is_exact():
    # translations in fractions of the image: 1/W is one pixel; theta maps
    # output to input, so +t samples from the right
    aug = build(type='LearnedAffineAugmentor', translation_only=True,
                init_std=0, learn_std=False, padding_mode='zeros')
    x = images(num=2, size=8)
    with torch.no_grad():
        aug.delta.mean.copy_(torch.tensor([2 / 8, -1 / 8]))
    out = aug(x)
    # output pixel (i, j) = input (i - 1, j + 2)
    assert torch.allclose(out[..., 1:, :6], x[..., :7, 2:], atol=1e-5)
    assert torch.allclose(out[..., :, 6:], torch.zeros(2, 1, 8, 2))
    assert aug.regularizer().item() == pytest.approx(0.125**2 + 0.25**2)
    stats = aug.log_stats((8, 8))
    assert stats['tx_mean_px'].item() == pytest.approx(2.0)
    assert stats['ty_mean_px'].item() == pytest.approx(-1.0)
    assert stats['tx_std_px'].item() == 0


def test_one_learning_rate_moves_the_same_fraction_on_any_canvas():
    """The same Adam step moves the mean by the same fraction of the image
    (the same number of pixels per image pixel) on a 16 and a 64 pixel
    canvas, and sigma by as much as the mean."""
    moves = []
    for size in (16, 64):
        torch.manual_seed(0)
        aug = build(type='LearnedAffineAugmentor', translation_only=True,
                    init_std=0.05)
        optim = torch.optim.Adam(aug.parameters(), lr=0.01)
        x = images(num=4, size=size)
        (aug(x) * torch.linspace(0, 1, size)).sum().backward()
        optim.step()
        stats = aug.log_stats((size, size))
        moves.append((abs(stats['tx_mean_px'].item()) / size,
                      abs(stats['tx_std_px'].item() / size - 0.05)))
    for mean_move, std_move in moves:
        assert mean_move == pytest.approx(0.01, rel=1e-3)
        assert std_move == pytest.approx(0.01, rel=1e-3)


def test_affine_gradient_reaches_mean_and_std():
    torch.manual_seed(0)
    aug = build(type='LearnedAffineAugmentor', init_std=0.1)
    x = images()
    (aug(x) * torch.linspace(0, 1, 12)).sum().backward()
    assert aug.delta.mean.grad.abs().sum() > 0
    assert aug.delta.raw_std.grad.abs().sum() > 0
    assert aug.delta.std.detach().allclose(torch.full((6, ), 0.1))


def test_affine_samples_per_image_from_the_learned_gaussian():
    torch.manual_seed(0)
    aug = build(type='LearnedAffineAugmentor', translation_only=True,
                init_std=0.2)
    with torch.no_grad():
        aug.delta.mean.copy_(torch.tensor([0.3, -0.1]))
    theta, delta = aug.sample_theta(20000)
    assert theta[:, :, :2].allclose(torch.eye(2).expand(20000, 2, 2))
    # affine_grid's coordinates are twice the fractions of the image
    assert theta[:, 0, 2].mean().item() == pytest.approx(0.6, abs=0.02)
    assert theta[:, 1, 2].std().item() == pytest.approx(0.4, abs=0.02)
    assert delta[:, 2].mean().item() == pytest.approx(0.3, abs=0.01)


def test_colour_transform_and_regularizer():
    aug = build(type='LearnedColourAugmentor', num_channels=3, init_std=0,
                learn_std=False)
    x = images(num=2, channels=3)
    assert torch.equal(aug(x), x)
    with torch.no_grad():
        aug.params.mean.copy_(torch.tensor([0., 0.5, 0., 0., 0., -1.]))
    out = aug(x)
    assert torch.allclose(out[:, 1], x[:, 1] * torch.e**0.5)
    assert torch.allclose(out[:, 2], x[:, 2] - 1)
    assert aug.regularizer().item() == pytest.approx(1.25)
    with pytest.raises(ValueError, match='num_channels=3'):
        aug(images(channels=1))


def test_compose_applies_in_order_and_sums_regularizers():
    aug = build(type='ComposeAugmentor', augmentors=[
        dict(type='LearnedColourAugmentor', num_channels=1, init_std=0,
             learn_std=False),
        dict(type='LearnedAffineAugmentor', init_std=0, learn_std=False)
    ])
    with torch.no_grad():
        aug.augmentors[0].params.mean.copy_(torch.tensor([0., 1.]))
    x = images()
    assert torch.allclose(aug(x), x + 1, atol=1e-5)
    assert aug.regularizer().item() == pytest.approx(1.0)


class TinyVAE(nn.Module):
    """A test VAE with the interface VAEAugmentor expects."""

    def __init__(self, channels=1, latent=2):
        super().__init__()
        self.encoder = nn.Conv2d(channels, 2 * latent, 3, padding=1)
        self.decoder = nn.Conv2d(latent, channels, 3, padding=1)

    def encode(self, x):
        return self.encoder(x).chunk(2, dim=1)

    def decode(self, z):
        return self.decoder(z)


def test_vae_augmentor_resizes_and_fine_tunes_the_decoder(tmp_path):
    torch.manual_seed(0)
    vae = TinyVAE()
    ckpt = tmp_path / 'vae.pth'
    torch.save(dict(state_dict=vae.state_dict()), ckpt)
    aug = build(type='VAEAugmentor', vae=dict(type=TinyVAE),
                vae_ckpt=str(ckpt), size=(6, 6))
    assert torch.equal(aug.vae.decoder.weight, vae.decoder.weight)
    x = images(size=12)
    out = aug(x)
    assert out.shape == x.shape
    (out.sum() + aug.regularizer()).backward()
    assert aug.vae.decoder.weight.grad.abs().sum() > 0
    assert aug.vae.encoder.weight.grad is None  # frozen by default
    assert aug.regularizer().item() > 0


def test_vae_without_interface_is_named():
    with pytest.raises(TypeError, match=r'augmentor.vae: Conv2d has no '
                       r'encode\(\)'):
        build(type='VAEAugmentor', vae=dict(
            type='Conv2d', in_channels=1, out_channels=1, kernel_size=1))


def test_symmetric_affine_mirrors_the_learned_shift():
    torch.manual_seed(0)
    aug = build(type='LearnedAffineAugmentor', translation_only=True,
                init_std=0, learn_std=False, symmetric=True)
    with torch.no_grad():
        aug.delta.mean.copy_(torch.tensor([0.3, -0.1]))
    theta, _ = aug.sample_theta(4000)
    shifts = theta[:, :, 2]
    assert torch.allclose(shifts[:, 0].abs(), torch.tensor(0.6))
    assert (shifts[:, 0] > 0).float().mean().item() == pytest.approx(
        0.5, abs=0.05)
    assert (shifts[:, 1] > 0).float().mean().item() == pytest.approx(
        0.5, abs=0.05)
    # gradients still reach the mean through the random signs
    x = images()
    (aug(x) * torch.linspace(0, 1, 12)).sum().backward()
    assert aug.delta.mean.grad.abs().sum() > 0


def test_antithetic_noise_comes_in_mirrored_pairs():
    torch.manual_seed(0)
    aug = build(type='LearnedAffineAugmentor', translation_only=True,
                init_std=0.2, antithetic=True)
    with torch.no_grad():
        aug.delta.mean.copy_(torch.tensor([0.3, -0.1]))
    _, delta = aug.sample_theta(5)
    shifts = delta[:, [2, 5]]
    # images 2i and 2i + 1 are mirrored around mu; the odd one out is not
    assert (shifts[0:4:2] + shifts[1:4:2]).allclose(
        torch.tensor([0.6, -0.2]).expand(2, 2))
    assert not (shifts[3] + shifts[4]).allclose(torch.tensor([0.6, -0.2]))


def test_antithetic_pairs_cancel_the_first_order_noise_on_sigma():
    # the sum of the images is linear in the brightness offset o: the
    # expected gradient on sigma_o is 0; single draws give a sum of
    # f'(mu) eps over the batch, mirrored pairs give exactly 0
    def sigma_offset_grad(antithetic):
        torch.manual_seed(0)
        aug = build(type='LearnedColourAugmentor', num_channels=1,
                    init_std=0.01, antithetic=antithetic)
        aug(images(num=8)).sum().backward()
        return aug.params.raw_std.grad[1].abs().item()

    assert sigma_offset_grad(True) < 1e-4
    assert sigma_offset_grad(False) > 10


def test_whole_pixel_translations_are_exact_shifts_with_a_gradient():
    torch.manual_seed(0)
    aug = build(type='LearnedAffineAugmentor', translation_only=True,
                init_std=0.1, padding_mode='zeros', whole_pixels=True)
    with torch.no_grad():
        aug.delta.mean.copy_(torch.tensor([0.3, -0.2]))
    x = images(num=64, size=10)
    out = aug(x)
    # every output is its input moved by whole pixels: each output pixel
    # is one of the input's pixels or 0 (no bilinear mix of neighbours)
    values = torch.cat([x.flatten(), torch.zeros(1)])
    gaps = (out.flatten()[:, None] - values[None]).abs().min(dim=1).values
    assert gaps.max() < 1e-5
    (out * torch.linspace(0, 1, 10)).sum().backward()
    assert aug.delta.mean.grad.abs().min() > 0
    assert aug.delta.raw_std.grad.abs().min() > 0


def test_whole_pixel_gradient_is_the_continuous_warps():
    def grads(whole_pixels):
        torch.manual_seed(0)
        aug = build(type='LearnedAffineAugmentor', translation_only=True,
                    init_std=0.1, whole_pixels=whole_pixels)
        (aug(images(num=16, size=10)) * torch.linspace(0, 1, 10)).sum() \
            .backward()
        return aug.delta.mean.grad, aug.delta.raw_std.grad

    for rounded, continuous in zip(grads(True), grads(False)):
        assert rounded.allclose(continuous)


def test_max_translation_bounds_the_shifts_only():
    torch.manual_seed(0)
    aug = build(type='LearnedAffineAugmentor', init_std=0.3,
                max_translation=0.1)
    _, offsets = aug.sample_theta(1000)
    shifts, linear = offsets[:, [2, 5]], offsets[:, [0, 1, 3, 4]]
    assert shifts.abs().max() <= 0.1
    assert shifts.abs().max() > 0.09  # tanh saturates, it does not clip
    assert linear.abs().max() > 0.5  # the linear part is not bounded
    shifts.sum().backward()
    assert aug.delta.mean.grad[[2, 5]].abs().min() > 0
    with pytest.raises(ValueError, match='max_translation'):
        build(type='LearnedAffineAugmentor', max_translation=0)
