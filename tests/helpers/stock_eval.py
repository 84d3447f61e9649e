"""Evaluate CHECKPOINT with CONFIG the way the task libraries' own
tools/test.py do (mmengine Runner only), and check that mmkd_ext was never
imported. Prints the metrics as JSON on the last line; with OUT, dumps the
predictions there (as tools/test.py --out does).

    python stock_eval.py CONFIG CHECKPOINT WORK_DIR [OUT]
"""
import json
import sys

from mmengine.config import Config
from mmengine.runner import Runner

config, checkpoint, work_dir = sys.argv[1:4]
cfg = Config.fromfile(config)
cfg.work_dir = work_dir
cfg.load_from = checkpoint
runner = Runner.from_cfg(cfg)
if len(sys.argv) > 4:
    from mmengine.evaluator import DumpResults
    runner.test_evaluator.metrics.append(DumpResults(out_file_path=sys.argv[4]))
metrics = runner.test()
assert 'mmkd_ext' not in sys.modules, 'mmkd_ext was imported'
print(json.dumps({k: float(v) for k, v in metrics.items()}))
