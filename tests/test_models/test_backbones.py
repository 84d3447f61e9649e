import pytest
import torch

from mmkd_ext.models.backbones import MobileNetV1


def test_mobilenet_v1_shapes_and_size():
    model = MobileNetV1(out_indices=(4, 12))
    model.init_weights()
    outs = model(torch.randn(2, 3, 224, 224))
    assert [tuple(o.shape) for o in outs] == [(2, 256, 28, 28),
                                               (2, 1024, 7, 7)]
    # 3.2 M parameters without the classifier (Howard et al., Table 4:
    # 4.2 M with the 1024x1000 FC layer)
    params = sum(p.numel() for p in model.parameters())
    assert 3.1e6 < params < 3.3e6


def test_mobilenet_v1_width_and_bad_index():
    outs = MobileNetV1(widen_factor=0.5)(torch.randn(1, 3, 64, 64))
    assert outs[-1].shape == (1, 512, 2, 2)
    with pytest.raises(ValueError, match='out_indices'):
        MobileNetV1(out_indices=(13, ))
