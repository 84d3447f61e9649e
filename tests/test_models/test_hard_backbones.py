"""The backbones of HARD's toy experiment: the MLP student and the
shift-equivariant CNN teacher."""
import pytest
import torch

from mmkd_ext.registry import MODELS


def build(**cfg):
    return MODELS.build(dict(cfg, _scope_='mmkd_ext'))


def test_mlp_shapes_and_message():
    mlp = build(type='MLP', in_channels=1, input_size=(4, 5),
                hidden_dims=(7, 3))
    out = mlp(torch.rand(2, 1, 4, 5))
    assert isinstance(out, tuple) and out[0].shape == (2, 3)
    assert sum(p.numel() for p in mlp.parameters()) == 20 * 7 + 7 + 7 * 3 + 3
    with pytest.raises(ValueError, match=r'expects images of shape '
                       r'\(C, H, W\) = \(1, 4, 5\).*got \(1, 5, 5\)'):
        mlp(torch.rand(2, 1, 5, 5))


def test_cnn_is_equivariant_to_circular_shifts():
    torch.manual_seed(0)
    cnn = build(type='ShiftEquivariantCNN', in_channels=1, channels=(4, 8),
                dilations=(1, 2)).eval()
    cnn.init_weights()
    x = torch.zeros(2, 1, 12, 12)
    x[:, :, 3:8, 4:9] = torch.rand(2, 1, 5, 5)
    shifted = torch.roll(x, shifts=(2, -3), dims=(2, 3))
    out, out_shifted = cnn(x)[0], cnn(shifted)[0]
    assert out.shape == (2, 8, 12, 12)
    assert torch.allclose(torch.roll(out, shifts=(2, -3), dims=(2, 3)),
                          out_shifted, atol=1e-5)
    # so its global average (the classifier's input) is shift invariant
    assert torch.allclose(out.mean((2, 3)), out_shifted.mean((2, 3)),
                          atol=1e-5)
    with pytest.raises(ValueError, match='same length'):
        build(type='ShiftEquivariantCNN', in_channels=1, channels=(4, 8),
              dilations=(1, ))
