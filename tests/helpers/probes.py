"""Hooks for the end-to-end tests."""
import json
import os.path as osp

from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class RankProbeHook(Hook):
    """After training, write ``rank<r>.json`` with the world size, a
    checksum of the (student) weights and, for a PS-KD head, of its memory
    and the number of rows written; for an MCMI head, its centroids; for a
    model with an augmentor (HARD), the augmentor's weights."""

    def after_train(self, runner):
        from mmkd_ext.models.distillers.base import unwrap
        model = getattr(runner.model, 'module', runner.model)
        augmentor = getattr(model, 'augmentor', None)
        # MMSeparateDistributedDataParallel wraps each part in its own DDP
        augmentor = augmentor and unwrap(augmentor)
        model = unwrap(getattr(model, 'student', model))
        record = dict(
            world_size=get_world_size(), iters=runner.iter,
            checksum=sum(float(p.double().sum())
                         for p in model.parameters()))
        if augmentor is not None:
            record.update(augmentor=[p.detach().double().flatten().tolist()
                                     for p in augmentor.parameters()])
        head = getattr(model, 'head', None)  # classifiers have one
        memory = getattr(head, 'memory', None)
        if memory is not None:
            record.update(
                memory_checksum=float(memory.probs.double().sum()),
                memory_rows_written=int((memory.probs.sum(1) > 0).sum()),
                memory_rows=len(memory))
        centroids = getattr(head, 'cmi_centroids', None)
        if centroids is not None:
            record.update(centroids=centroids.value.tolist())
        with open(osp.join(runner.work_dir, f'rank{get_rank()}.json'),
                  'w') as f:
            json.dump(record, f)


@HOOKS.register_module()
class StopAfterEpochHook(Hook):
    """Stop training after ``epoch`` epochs, as an interrupted run would,
    without changing ``max_epochs`` (which epoch-based schedules use)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch >= self.epoch:
            runner.train_loop.stop_training = True
