"""Learned distribution of spatial (affine or translation) transforms."""
import torch
import torch.nn.functional as F

from mmkd_ext.registry import MODELS
from .base import BaseAugmentor, LearnedGaussian

IDENTITY = (1., 0., 0., 0., 1., 0.)
# which of the 6 offsets (a, b, t_x, c, d, t_y) are translations
IS_TRANSLATION = (0., 0., 1., 0., 0., 1.)


@MODELS.register_module()
class LearnedAffineAugmentor(BaseAugmentor):
    """HARD's spatial augmentor (methods.md 3.3.1): a learnable Gaussian
    over affine parameters, initialised at the identity, sampled with the
    reparameterisation trick, applied with ``affine_grid`` + ``grid_sample``.

    Per image, the offsets ``delta ~ N(mu, sigma^2)`` from the identity are
    in image units, so that one learning rate means the same step on any
    canvas: the translations ``(t_x, t_y)`` in fractions of the image width
    and height (0.1 = a tenth of the image), the linear part (scale,
    rotation, shear) unitless. ``affine_grid`` gets
    ``theta = [[1 + a, b, 2 t_x], [c, 1 + d, 2 t_y]]`` (its coordinates span
    2 across the image). With ``translation_only`` only ``(t_x, t_y)`` are
    learned.

    With ``symmetric`` each sampled parameter's sign is flipped at random
    (independently per image and parameter), so the distribution is a
    mixture of the Gaussian and its mirror images around the identity [our
    reconstruction, methods.md 3.3].

    ``Reg(phi) = mean_b ||delta_b||^2`` (distance of the sampled transforms
    from the identity, in these units). ``log_stats`` gives mu and sigma of
    the translations in pixels.

    Args:
        translation_only (bool): learn 2 translations instead of 6 affine
            parameters. Defaults to False.
        init_std (float): sigma of delta at initialisation (0.025: half a
            pixel on a 20-pixel image). Defaults to 0.025.
        learn_std (bool): learn sigma; with ``False`` and ``init_std=0`` the
            augmentor is deterministic. Defaults to True.
        padding_mode (str): ``grid_sample`` padding for pixels warped in
            from outside the image: ``'border'`` (repeat the edge; right for
            images with a uniform background), ``'zeros'`` or
            ``'reflection'``. Defaults to ``'border'``.
        symmetric (bool): flip the sign of each sampled parameter at random.
            Defaults to False.
        antithetic (bool): draw the noise of consecutive images in mirrored
            pairs (``LearnedGaussian``). Defaults to False.
        max_translation (float, optional): bound each sampled translation
            to (-m, m) fractions of the image, ``t = m tanh(t' / m)`` of the
            Gaussian's sample t' (about t' itself while small); mu and sigma
            stay those of t'. Defaults to None (unbounded).
        whole_pixels (bool): round each sampled translation to whole pixels
            of the input, so that a pure translation moves pixels without
            resampling (no bilinear blur); the gradient is that of the warp
            by the unrounded parameters (straight-through). Defaults to
            False.
    """

    def __init__(self, translation_only=False, init_std=0.025,
                 learn_std=True, padding_mode='border', symmetric=False,
                 antithetic=False, max_translation=None, whole_pixels=False,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if padding_mode not in ('border', 'zeros', 'reflection'):
            raise ValueError(
                f"padding_mode must be 'border', 'zeros' or 'reflection', "
                f'got {padding_mode!r}')
        self.translation_only = translation_only
        self.padding_mode = padding_mode
        self.symmetric = symmetric
        if max_translation is not None and max_translation <= 0:
            raise ValueError(
                f'max_translation must be > 0 (a fraction of the image) or '
                f'None, got {max_translation}')
        self.max_translation = max_translation
        self.whole_pixels = whole_pixels
        self.delta = LearnedGaussian(2 if translation_only else 6, init_std,
                                     learn_std, antithetic)

    def _translation_index(self):
        return (0, 1) if self.translation_only else (2, 5)

    def sample_theta(self, num):
        """(num, 2, 3) ``affine_grid`` matrices and the (num, 6) offsets
        applied, in image units (a, b, t_x, c, d, t_y)."""
        delta = self.delta.sample(num)
        if self.symmetric:
            delta = delta * (torch.randint_like(delta, 2) * 2 - 1)
        if self.translation_only:
            zeros = delta.new_zeros(num)
            delta = torch.stack([zeros, zeros, delta[:, 0], zeros, zeros,
                                 delta[:, 1]], dim=1)
        is_translation = delta.new_tensor(IS_TRANSLATION)
        offsets = delta
        if self.max_translation is not None:
            bound = self.max_translation
            offsets = torch.where(is_translation.bool(),
                                  bound * torch.tanh(delta / bound), delta)
        # translations: fractions of the image -> affine_grid's coordinates
        # (span 2); the linear part is unitless
        theta = offsets * (1 + is_translation) + delta.new_tensor(IDENTITY)
        return theta.view(num, 2, 3), offsets

    def forward(self, inputs):
        """inputs (B, C, H, W) -> warped (B, C, H, W)."""
        theta, _ = self.sample_theta(len(inputs))
        warped = self._warp(inputs, theta)
        if not self.whole_pixels:
            return warped
        # the value of the whole-pixel warp, the gradient of the continuous
        # one (a gradient taken at the rounded position would be bilinear
        # interpolation's one-sided difference there: biased)
        rounded = self._warp(inputs, self._round_translations(
            theta.detach(), inputs.shape[2:]))
        return warped + (rounded - warped).detach()

    def _warp(self, inputs, theta):
        """``inputs`` (B, C, H, W) warped by ``theta`` (B, 2, 3)."""
        grid = F.affine_grid(theta.to(inputs.dtype), list(inputs.shape),
                             align_corners=False)
        return F.grid_sample(inputs, grid, mode='bilinear',
                             padding_mode=self.padding_mode,
                             align_corners=False)

    @staticmethod
    def _round_translations(theta, image_size):
        """theta (B, 2, 3) with its translations rounded to whole pixels of
        an image of ``image_size`` (H, W) (in ``affine_grid``'s coordinates
        one pixel is 2 / W across, 2 / H down)."""
        height, width = image_size
        pixels = theta.new_tensor((width / 2, height / 2))
        shift = torch.round(theta[:, :, 2] * pixels) / pixels
        return torch.cat([theta[:, :, :2], shift[:, :, None]], dim=2)

    def regularizer(self):
        # sign flips and the zero entries of translation_only leave the
        # squared norm of the sampled offsets unchanged
        return self.delta.last_squared_norm()

    @torch.no_grad()
    def log_stats(self, image_size):
        """mu and sigma of the translations in pixels of an image of
        ``image_size`` (H, W): ``tx_mean_px``, ``ty_mean_px``,
        ``tx_std_px``, ``ty_std_px``."""
        ix, iy = self._translation_index()
        height, width = image_size
        mean, std = self.delta.mean, self.delta.std
        return dict(tx_mean_px=mean[ix] * width, ty_mean_px=mean[iy] * height,
                    tx_std_px=std[ix] * width, ty_std_px=std[iy] * height)
