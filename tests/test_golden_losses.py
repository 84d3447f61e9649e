"""The first training step of every demo, smoke, tiny and digits config
gives the committed golden losses (see tests/golden_losses.py, which also
regenerates them). They are those of today's stack (`make test`); other
torch versions move some (under torch 2.0.1 the mmseg configs, the stock
smoke DeepLabV3 included, by up to 3%)."""
import json

import pytest

from golden_losses import ATOL, GOLDEN, RTOL, first_step_losses, \
    golden_configs

with open(GOLDEN) as f:
    EXPECTED = json.load(f)


def test_every_config_has_golden_losses():
    assert sorted(EXPECTED) == golden_configs()


@pytest.mark.parametrize('config', golden_configs())
def test_first_step_losses(config):
    expected = EXPECTED[config]
    got = first_step_losses(config)
    assert sorted(got) == sorted(expected), config
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=RTOL, abs=ATOL), key
