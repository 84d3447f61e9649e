"""Learned distribution of colour/intensity transforms."""
from mmkd_ext.registry import MODELS
from .base import BaseAugmentor, LearnedGaussian


@MODELS.register_module()
class LearnedColourAugmentor(BaseAugmentor):
    """A learned per-channel contrast and brightness distribution, applied
    to preprocessed (normalised) images::

        x~[b, c] = exp(a[b, c]) * x[b, c] + o[b, c],
        a ~ N(mu_a, sigma_a^2),  o ~ N(mu_o, sigma_o^2)   (per channel)

    initialised at the identity (mu = 0). ``Reg(phi) = mean_b sum_c
    (a^2 + o^2)``, the distance of the sampled transforms from the identity.

    Args:
        num_channels (int): image channels C. Defaults to 3.
        init_std (float): sigma of a and o at initialisation. Defaults to
            0.05.
        learn_std (bool): learn sigma. Defaults to True.
        antithetic (bool): draw the noise of consecutive images in mirrored
            pairs (``LearnedGaussian``). Defaults to False.
    """

    def __init__(self, num_channels=3, init_std=0.05, learn_std=True,
                 antithetic=False, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.num_channels = num_channels
        self.params = LearnedGaussian(2 * num_channels, init_std, learn_std,
                                      antithetic)

    def forward(self, inputs):
        """inputs (B, C, H, W) -> (B, C, H, W)."""
        if inputs.dim() != 4 or inputs.shape[1] != self.num_channels:
            raise ValueError(
                f'LearnedColourAugmentor: num_channels={self.num_channels} '
                f'but the inputs are {tuple(inputs.shape)}')
        log_gain, offset = self.params.sample(len(inputs)).to(
            inputs.dtype)[:, :, None, None].chunk(2, dim=1)
        return inputs * log_gain.exp() + offset

    def regularizer(self):
        return self.params.last_squared_norm()
