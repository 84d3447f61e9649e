"""A hook for the 2-process test: each rank writes what it trained."""
import json
import os.path as osp

from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class RankProbeHook(Hook):
    """After training, write ``rank<r>.json`` with the world size and a
    checksum of the student's weights."""

    def after_train(self, runner):
        model = getattr(runner.model, 'module', runner.model)
        checksum = sum(float(p.double().sum())
                       for p in model.student.parameters())
        with open(osp.join(runner.work_dir, f'rank{get_rank()}.json'),
                  'w') as f:
            json.dump(dict(world_size=get_world_size(), checksum=checksum,
                           iters=runner.iter), f)
