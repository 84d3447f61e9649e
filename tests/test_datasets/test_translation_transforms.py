"""CenterPad and RandomIntegerTranslate (HARD's shift-equivariance test)."""
import numpy as np
import pytest

from mmkd_ext.registry import TRANSFORMS


def build(**cfg):
    return TRANSFORMS.build(dict(cfg, _scope_='mmkd_ext'))


def test_center_pad_keeps_the_image_centred():
    img = np.arange(1, 13, dtype=np.uint8).reshape(3, 4)
    out = build(type='CenterPad', size=(6, 7))(dict(img=img))
    assert out['img'].shape == (6, 7) and out['img_shape'] == (6, 7)
    assert np.array_equal(out['img'][1:4, 1:5], img)
    assert out['img'].sum() == img.sum()
    rgb = build(type='CenterPad', size=(5, 5))(dict(img=np.ones((3, 3, 3))))
    assert rgb['img'].shape == (5, 5, 3)
    with pytest.raises(ValueError, match=r'size=\(2, 2\) is smaller'):
        build(type='CenterPad', size=(2, 2))(dict(img=img))


def test_translate_moves_pixels_by_the_drawn_offsets():
    img = np.zeros((9, 9), dtype=np.uint8)
    img[4, 4] = 255
    translate = build(type='RandomIntegerTranslate', std=5.0, max_shift=3,
                      seed=0)
    out = translate(dict(img=img, sample_idx=7))
    dy, dx = out['translation']
    assert max(abs(dy), abs(dx)) <= 3
    assert out['img'][4 + dy, 4 + dx] == 255 and out['img'].sum() == 255
    # the same image gets the same offsets in every run; others differ
    again = translate(dict(img=img, sample_idx=7))['translation']
    assert again == (dy, dx)
    offsets = {translate(dict(img=img, sample_idx=i))['translation']
               for i in range(50)}
    assert len(offsets) > 10
    assert {abs(o) for pair in offsets for o in pair} <= {0, 1, 2, 3}


def test_translate_offsets_follow_the_clipped_gaussian():
    translate = build(type='RandomIntegerTranslate', std=2.5, max_shift=3,
                      seed=1)
    offsets = np.array([translate.offsets(dict(sample_idx=i))
                        for i in range(4000)])
    assert abs(offsets.mean()) < 0.1
    # P(|round(N(0, 2.5^2))| >= 3) = P(|z| >= 1)
    assert (np.abs(offsets) == 3).mean() == pytest.approx(0.317, abs=0.03)
    with pytest.raises(KeyError, match='sample_idx'):
        translate.offsets(dict())


def test_translate_without_seed_draws_fresh_offsets():
    np.random.seed(0)
    translate = build(type='RandomIntegerTranslate', std=5.0, max_shift=6)
    img = np.zeros((4, 4), dtype=np.uint8)
    offsets = {translate(dict(img=img))['translation'] for _ in range(20)}
    assert len(offsets) > 5


@pytest.mark.parametrize('dy,dx', [(0, 0), (2, -1), (-3, 3), (4, 0),
                                   (0, -7)])
def test_shift_matches_a_padded_roll(dy, dx):
    from mmkd_ext.datasets.transforms.translation import _shift
    img = np.arange(1, 21).reshape(4, 5)
    padded = np.pad(img, 8)
    expected = np.roll(padded, (dy, dx), axis=(0, 1))[8:12, 8:13]
    assert np.array_equal(_shift(img, dy, dx, 0), expected)
