"""mmkd_ext: knowledge distillation for OpenMMLab on current PyTorch."""
__version__ = '0.1.0'
