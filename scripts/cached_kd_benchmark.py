"""Step time of NKD ResNet-34 -> ResNet-18 (224x224, batch 32) with the
teacher online and from a cache, against the student alone, with
tools/benchmark.py on tiny ImageNet-layout data (the timing does not need
trained weights: the teacher is a random ResNet-34).

    OMP_NUM_THREADS=2 .venv/bin/python scripts/cached_kd_benchmark.py \
        [--repeats 3] [--batch-size 32]
"""
import argparse
import os.path as osp
import subprocess
import sys

import torch

from experiment import ROOT, run_tool

ONLINE = 'configs/nkd/nkd_resnet34_resnet18_8xb32_in1k.py'
CACHED = 'configs/cached_kd/nkd-cached_resnet34_resnet18_8xb32_in1k.py'
TEACHER = 'mmpretrain::resnet/resnet34_8xb32_in1k.py'
DATA = 'data/tiny_imagenet'
CACHE = 'work_dirs/cached_kd/tiny_in1k_k10'


def random_teacher(path):
    """A ResNet-34 checkpoint with the seeded random initialisation."""
    sys.path.insert(0, ROOT)
    from mmengine.registry import DefaultScope
    import mmkd_ext  # noqa: F401
    from mmkd_ext.models.distillers.base import load_model_config
    from mmkd_ext.registry import MODELS
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(load_model_config(TEACHER, 'teacher'))
    torch.save(dict(state_dict=model.state_dict()), path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=32)
    args = parser.parse_args()
    log = osp.join(ROOT, 'work_dirs', 'cached_kd', 'benchmark.log')
    run_tool(['tools/make_tiny_data.py', 'imagenet', DATA], log)
    ckpt = osp.join(ROOT, 'work_dirs', 'cached_kd', 'resnet34_random.pth')
    if not osp.isfile(ckpt):
        random_teacher(ckpt)
    data = [f'train_dataloader.dataset.data_root={DATA}',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            f'train_dataloader.batch_size={args.batch_size}']
    run_tool(['tools/cache_teacher.py', TEACHER, ckpt, CACHE,
              '--crops-per-image', '10', '--topk', '10', '--data-config',
              CACHED, '--cfg-options', *data], log)
    for name, config, options in (
            ('online teacher', ONLINE, ['model.teacher_ckpt=None']),
            ('cached teacher', CACHED,
             [f'train_dataloader.dataset.pipeline.1.teacher_cache={CACHE}'])):
        out = subprocess.run(
            [sys.executable, 'tools/benchmark.py', config, '--repeats',
             str(args.repeats), '--warmup', '1', '--cfg-options', *data,
             *options], cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(out.stderr[-3000:])
        lines = [line for line in out.stdout.splitlines()
                 if 'ms' in line or 'median' in line]
        student, distill = (
            float(next(line for line in lines if key in line).split()[-7])
            for key in ('student-only step', 'distillation step'))
        print(f'{name}:\n' + '\n'.join(lines) +
              f'\n  distillation step / student-only step = '
              f'{distill / student:.3f}', flush=True)


if __name__ == '__main__':
    main()
