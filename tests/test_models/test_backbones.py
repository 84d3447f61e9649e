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


@pytest.mark.parametrize('model, channels, params_with_fc', [
    # parameters of the CIFAR-100 models (with the 100-way FC) as published
    # for the CRD/RepDistiller benchmark, in millions
    (dict(type='CifarResNet', depth=56), 64, 0.86),
    (dict(type='CifarResNet', depth=20), 64, 0.28),
    (dict(type='CifarResNet', depth=32, widths=(32, 64, 128, 256)), 256,
     7.43),
    (dict(type='CifarResNet', depth=8, widths=(32, 64, 128, 256)), 256,
     1.23),
    (dict(type='WideResNet', depth=40, widen_factor=2), 128, 2.25),
    (dict(type='WideResNet', depth=16, widen_factor=2), 128, 0.70),
])
def test_cifar_resnets_match_the_published_sizes(model, channels,
                                                 params_with_fc):
    from mmkd_ext.registry import MODELS
    backbone = MODELS.build(model)
    backbone.init_weights()
    (out, ) = backbone(torch.randn(2, 3, 32, 32))
    assert out.shape == (2, channels, 8, 8)
    params = sum(p.numel() for p in backbone.parameters())
    params += channels * 100 + 100
    assert params / 1e6 == pytest.approx(params_with_fc, abs=0.02)


def test_cifar_resnet_bad_config():
    from mmkd_ext.models.backbones import CifarResNet, WideResNet
    with pytest.raises(ValueError, match=r'CifarResNet: depth must be 6n \+ 2'):
        CifarResNet(depth=18)
    with pytest.raises(ValueError, match=r'WideResNet: depth must be 6n \+ 4'):
        WideResNet(depth=20)
    with pytest.raises(ValueError, match='widths needs 4 values'):
        CifarResNet(depth=20, widths=(16, 32, 64))
    with pytest.raises(ValueError, match='out_indices'):
        CifarResNet(depth=20, out_indices=(3, ))
