"""Backbones that the task libraries lack, registered in our MODELS."""
from .mlp import MLP
from .mobilenet_v1 import MobileNetV1

__all__ = ['MLP', 'MobileNetV1']
