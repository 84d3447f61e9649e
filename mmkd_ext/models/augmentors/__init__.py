"""HARD augmentors: learned input transformations, registered in MODELS.

Every augmentor maps a batch of preprocessed images (B, C, H, W) to a batch
of the same shape and has a ``regularizer()`` (a scalar tensor) that keeps it
near the identity or on the image manifold (Reg(phi) of HARD)."""
from .base import BaseAugmentor
from .colour import LearnedColourAugmentor
from .compose import ComposeAugmentor
from .spatial import LearnedAffineAugmentor
from .vae import VAEAugmentor

__all__ = [
    'BaseAugmentor', 'ComposeAugmentor', 'LearnedAffineAugmentor',
    'LearnedColourAugmentor', 'VAEAugmentor'
]
