"""ACAM-KD end to end through tools/train.py on tiny COCO: the loss and its
parts reach the log (the parts outside the total) and MaskVisualizationHook
writes the mask pictures of each level. (The Cityscapes pair runs the same
code with one level; it is left out here to keep the suite short.)"""
import glob

import pytest

from conftest import config_path, run_tool
from tiny_data import make_tiny_data
from work_dir import train_log

pytestmark = pytest.mark.slow


def test_acamkd_trains_logs_parts_and_draws_masks(tmp_path):
    # the default 8 training images: 2 iterations of 4
    make_tiny_data('coco', str(tmp_path / 'data' / 'acam_tiny_coco'))
    work_dir = tmp_path / 'wd'
    config = config_path('acamkd',
                         'acamkd_retinanet_r18_r18-w16_fpn_tiny-coco.py')
    run_tool('train.py', config, '--work-dir', work_dir, '--cfg-options',
             'train_cfg.max_epochs=1',
             'default_hooks.logger.interval=1', 'custom_hooks.0.interval=1',
             # mmengine smooths keys with 'loss' over this window and logs
             # the others (the parts) as they are: compare like with like
             'log_processor.window_size=1', cwd=tmp_path)
    records = [r for r in train_log(work_dir) if 'loss_acam' in r]
    assert len(records) == 2
    for record in records:
        # alpha = lambda_div = 1; the parts are means over the 5 levels
        parts = sum(record[f'acam.{p}'] for p in ('channel', 'spatial', 'div'))
        assert record['loss_acam'] == pytest.approx(5 * parts, rel=1e-3)
        assert record['loss'] == pytest.approx(
            record['loss_acam'] + record['loss_cls'] + record['loss_bbox'],
            rel=1e-3)
        assert 0 < record['acam.coverage'] < 1
        assert 0 < record['acam.entropy'] <= 1
    pictures = glob.glob(str(work_dir / '*' / 'vis_data' / 'vis_image' /
                             'masks_acam.levels.*.png'))
    # one picture per FPN level and iteration
    assert len(pictures) == 2 * 5
