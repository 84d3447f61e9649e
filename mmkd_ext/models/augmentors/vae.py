"""A pretrained VAE, fine-tuned as an augmentor (HARD's VAE augmentor)."""
import torch
import torch.nn.functional as F
from mmengine.runner import load_checkpoint

from mmkd_ext.registry import MODELS
from .base import BaseAugmentor


@MODELS.register_module()
class VAEAugmentor(BaseAugmentor):
    """Plug a (pretrained) VAE in as the augmentor (methods.md 3.3.2).

    ``vae`` is any registered module with two methods::

        encode(x) -> (mean, log_var)    x: (B, C, h, w), latents any shape
        decode(z) -> x_hat              same shape as x

    x~ is the reconstruction of a posterior sample,
    ``decode(mean + temperature * exp(log_var / 2) * eps)``, and Reg keeps the
    VAE an autoencoder of the data (its negative ELBO)::

        Reg = recon_weight * mean((x~ - x)^2)
              + kl_weight * mean_b sum_latents KL(N(mean, var) || N(0, 1))

    The inputs are the preprocessed (normalised) images; the VAE must have
    been trained on the same normalisation. With ``size`` the images are
    resized to the VAE's resolution and back.

    Args:
        vae (dict): config of the VAE module.
        vae_ckpt (str, optional): its pretrained weights (a local file).
        freeze_encoder (bool): fine-tune the decoder only (the encoder is the
            VAE's ``encoder`` submodule). Defaults to True.
        temperature (float): scale of the posterior noise. Defaults to 1.0.
        size (tuple[int, int], optional): (h, w) the VAE works at.
        recon_weight (float): Defaults to 1.0.
        kl_weight (float): Defaults to 1e-3.
    """

    def __init__(self, vae, vae_ckpt=None, freeze_encoder=True,
                 temperature=1.0, size=None, recon_weight=1.0, kl_weight=1e-3,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.vae = MODELS.build(vae)
        for method in ('encode', 'decode'):
            if not callable(getattr(self.vae, method, None)):
                raise TypeError(
                    f'augmentor.vae: {type(self.vae).__name__} has no '
                    f'{method}() method; a VAE augmentor needs encode(x) -> '
                    f'(mean, log_var) and decode(z) -> x')
        if vae_ckpt is not None:
            load_checkpoint(self.vae, vae_ckpt, map_location='cpu',
                            strict=True, logger='current')
            self.vae._is_init = True
        if freeze_encoder:
            encoder = getattr(self.vae, 'encoder', None)
            if encoder is None:
                raise TypeError(
                    f'augmentor.freeze_encoder: {type(self.vae).__name__} '
                    f'has no encoder submodule to freeze')
            encoder.requires_grad_(False)
        self.temperature = temperature
        self.size = tuple(size) if size is not None else None
        self.recon_weight = recon_weight
        self.kl_weight = kl_weight
        self._last = None

    def _resize(self, x, size):
        if self.size is None or tuple(x.shape[-2:]) == tuple(size):
            return x
        return F.interpolate(x, size=size, mode='bilinear',
                             align_corners=False)

    def forward(self, inputs):
        x = self._resize(inputs, self.size)
        mean, log_var = self.vae.encode(x)
        z = mean + self.temperature * (0.5 * log_var).exp() * \
            torch.randn_like(mean)
        out = self._resize(self.vae.decode(z), inputs.shape[-2:])
        self._last = (inputs, out, mean, log_var)
        return out

    def regularizer(self):
        if self._last is None:
            return next(self.parameters()).new_zeros(())
        inputs, out, mean, log_var = self._last
        recon = F.mse_loss(out, inputs)
        kl = 0.5 * (mean.pow(2) + log_var.exp() - 1 - log_var).flatten(1) \
            .sum(1).mean()
        return self.recon_weight * recon + self.kl_weight * kl
