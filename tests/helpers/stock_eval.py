"""Evaluate CHECKPOINT with CONFIG the way the task libraries' own
tools/test.py do (mmengine Runner only), and check that mmkd_ext was never
imported. Prints the metrics as JSON on the last line.

    python stock_eval.py CONFIG CHECKPOINT WORK_DIR
"""
import json
import sys

from mmengine.config import Config
from mmengine.runner import Runner

config, checkpoint, work_dir = sys.argv[1:4]
cfg = Config.fromfile(config)
cfg.work_dir = work_dir
cfg.load_from = checkpoint
metrics = Runner.from_cfg(cfg).test()
assert 'mmkd_ext' not in sys.modules, 'mmkd_ext was imported'
print(json.dumps({k: float(v) for k, v in metrics.items()}))
