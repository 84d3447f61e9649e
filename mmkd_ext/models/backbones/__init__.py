"""Backbones that the task libraries lack, registered in our MODELS."""
from .cifar_resnet import CifarResNet, WideResNet
from .mlp import MLP
from .mobilenet_v1 import MobileNetV1
from .shift_equivariant_cnn import ShiftEquivariantCNN

__all__ = [
    'CifarResNet', 'MLP', 'MobileNetV1', 'ShiftEquivariantCNN', 'WideResNet'
]
