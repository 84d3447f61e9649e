"""The interface of HARD augmentors and the learned Gaussian they share."""
import torch
import torch.nn as nn
from mmengine.model import BaseModule


class BaseAugmentor(BaseModule):
    """An augmentor g_phi: ``forward(inputs)`` returns x~ = g_phi(x, eps),
    (B, C, H, W) -> (B, C, H, W), differentiable in phi and in x; fresh
    noise eps at every call. ``regularizer()`` returns Reg(phi) of the last
    call, a scalar tensor (0 when the augmentor has none).
    ``log_stats(image_size)`` gives what to log about the learned
    distribution (a dict of scalars, empty when there is nothing to say)."""

    def forward(self, inputs):
        raise NotImplementedError

    def regularizer(self):
        raise NotImplementedError

    def log_stats(self, image_size):
        return {}


class LearnedGaussian(nn.Module):
    """A diagonal Gaussian N(mu, sigma^2) over ``dim`` parameters, sampled
    with the reparameterisation trick: ``mu + sigma * eps``, eps ~ N(0, 1).

    sigma is learned directly, in the units of mu (``sigma = |std|``), so
    that one optimizer step moves both by the same amount: with Adam, a
    location and a spread that both change by about ``lr`` per step. (A log
    sigma changes by a factor per step instead, and grows far slower than
    mu moves while sigma is small.)

    With ``antithetic`` the noise comes in mirrored pairs (eps, -eps):
    samples ``2i`` and ``2i + 1`` are ``mu + sigma eps_i`` and
    ``mu - sigma eps_i``. The gradient of an expectation then loses its
    first-order noise term (``f'(mu) eps`` cancels within a pair), which
    otherwise swamps the signal on sigma while sigma is small: that signal
    is ``sigma f''(mu)``, so a sigma near 0 receives mostly noise and stays
    there.

    Args:
        dim (int): number of parameters.
        init_std (float): sigma at initialisation (mu starts at 0).
        learn_std (bool): learn sigma or keep it fixed.
        antithetic (bool): draw the noise in mirrored pairs.
    """

    def __init__(self, dim, init_std, learn_std=True, antithetic=False):
        super().__init__()
        if init_std < 0:
            raise ValueError(f'init_std must be >= 0, got {init_std}')
        if learn_std and init_std == 0:
            raise ValueError('init_std must be > 0 when learn_std=True')
        self.mean = nn.Parameter(torch.zeros(dim))
        std = torch.full((dim, ), float(init_std))
        if learn_std:
            self.raw_std = nn.Parameter(std)
        else:
            self.register_buffer('raw_std', std, persistent=False)
        self.antithetic = antithetic
        self.last_sample = None

    @property
    def std(self):
        return self.raw_std.abs()

    def sample(self, num):
        """(num, dim) samples; differentiable in mu and sigma. The last
        samples are kept for ``last_squared_norm``."""
        if self.antithetic:
            half = torch.randn((num + 1) // 2, self.mean.numel(),
                               device=self.mean.device)
            eps = torch.stack([half, -half], dim=1).flatten(0, 1)[:num]
        else:
            eps = torch.randn(num, self.mean.numel(),
                              device=self.mean.device)
        self.last_sample = self.mean + self.std * eps
        return self.last_sample

    def last_squared_norm(self):
        """``mean_b ||s_b||^2`` of the last samples (the distance of the
        sampled transforms from the identity, the augmentors' Reg(phi));
        0 before the first sample."""
        if self.last_sample is None:
            return self.mean.new_zeros(())
        return self.last_sample.pow(2).sum(dim=1).mean()
