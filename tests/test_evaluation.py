import pytest
import torch

from mmkd_ext.evaluation import (ExpectedCalibrationError,
                                 expected_calibration_error)


def test_ece_values():
    labels = torch.tensor([0, 1, 0, 1])
    # always right with confidence 1: perfectly calibrated
    perfect = torch.tensor([[1., 0.], [0., 1.], [1., 0.], [0., 1.]])
    assert expected_calibration_error(perfect, labels) == pytest.approx(0)
    # confidence 0.9, right half the time: gap 0.4
    over = torch.tensor([[0.9, 0.1]] * 4)
    assert expected_calibration_error(over, labels) == pytest.approx(40)


def test_ece_metric_through_evaluator_api():
    metric = ExpectedCalibrationError(num_bins=10)
    metric.process({}, [dict(pred_score=torch.tensor([0.8, 0.2]),
                             gt_label=torch.tensor([0])),
                        dict(pred_score=torch.tensor([0.6, 0.4]),
                             gt_label=torch.tensor([1]))])
    result = metric.evaluate(2)
    # bins 0.8 (right) and 0.6 (wrong): (0.2 + 0.6) / 2
    assert result['calibration/ece'] == pytest.approx(40)
