"""Cache a classification teacher's soft labels for K fixed views of every
training image, so that the student distils from the cache without running
the teacher (FKD: Shen and Xing, ECCV 2022).

    python tools/cache_teacher.py TEACHER_CONFIG TEACHER_CKPT OUT \
        --crops-per-image K [--topk N] [--data-config CONFIG] \
        [--shard-size 1024] [--batch-size 64] [--launcher pytorch] \
        [--cfg-options KEY=VALUE ...]

The views are those of the ``mmkd_ext.ReplayedAugment`` in the training
pipeline of ``--data-config`` (default: TEACHER_CONFIG): view c of image i
is the crop and flip that ``ReplayedAugment`` replays for (i, c); its
``crops_per_image`` must be K. The cached student's own config can be the
data config (its ``teacher_cache`` is ignored here). OUT gets ``meta.json`` and shards of
float16 probabilities (n, K, C), or with ``--topk`` their N largest values
(float16) and class indices (int16). Shards that exist are kept, so an
interrupted run resumes; under ``--launcher pytorch`` the ranks share the
shards. The student's config then names the cache
(``ReplayedAugment(teacher_cache=OUT)``) and ``teacher='cached'``.
"""
import argparse
import json
import os
import os.path as osp

import torch
from mmengine.config import DictAction

from tool_cli import user_errors


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the teacher config')
    parser.add_argument('checkpoint', help='the teacher checkpoint')
    parser.add_argument('out', help='the cache folder')
    parser.add_argument('--crops-per-image', type=int, required=True)
    parser.add_argument('--topk', type=int, default=0,
                        help='keep the N largest probabilities per view')
    parser.add_argument('--data-config',
                        help='the config whose training set and pipeline '
                        'to cache (default: the teacher config)')
    parser.add_argument('--shard-size', type=int, default=1024)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--launcher', choices=['none', 'pytorch'],
                        default='none')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the data config')
    return parser.parse_args(argv)


def replay_transform(dataset, config_path, crops):
    """The ``ReplayedAugment`` of the dataset's pipeline."""
    from mmkd_ext.datasets.transforms.replay import ReplayedAugment
    from mmkd_ext.utils.config import ConfigError
    found = [t for t in dataset.pipeline.transforms
             if isinstance(t, ReplayedAugment)]
    if len(found) != 1:
        raise ConfigError(
            f'{config_path}: the training pipeline needs exactly one '
            f'mmkd_ext.ReplayedAugment around its random transforms (found '
            f'{len(found)}); the cache holds the teacher on its views')
    if found[0].crops_per_image != crops:
        raise ConfigError(
            f'--crops-per-image is {crops} but the ReplayedAugment of '
            f'{config_path} replays {found[0].crops_per_image} views')
    return found[0]


def without_cache(dataset_cfg):
    """The dataset config with its ``ReplayedAugment`` not reading a
    teacher cache (the config of the cached student can be given as is);
    dataset wrappers are followed."""
    while 'pipeline' not in dataset_cfg and 'dataset' in dataset_cfg:
        dataset_cfg = dataset_cfg.dataset
    for transform in dataset_cfg.get('pipeline', []):
        if str(transform.get('type', '')).endswith('ReplayedAugment'):
            transform.teacher_cache = None


def build(args):
    """(dataset, teacher, replay transform) under the config's scope; the
    dataset unwrapped from its wrappers (sample indices are the wrapped
    dataset's, as the pipeline sees them)."""
    from mmengine.registry import DATASETS, DefaultScope
    from mmengine.runner import load_checkpoint
    from mmkd_ext.models.distillers.base import load_model_config
    from mmkd_ext.registry import MODELS
    from mmkd_ext.utils.config import load_config
    data_config = args.data_config or args.config
    cfg = load_config(data_config, args.cfg_options)
    without_cache(cfg.train_dataloader.dataset)
    DefaultScope.get_instance('cache_teacher',
                              scope_name=cfg.default_scope)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    while not hasattr(dataset, 'pipeline') and hasattr(dataset, 'dataset'):
        dataset = dataset.dataset
    teacher = MODELS.build(load_model_config(args.config, 'TEACHER_CONFIG'))
    load_checkpoint(teacher, args.checkpoint, map_location='cpu',
                    strict=True)
    return dataset, teacher.eval(), replay_transform(
        dataset, data_config, args.crops_per_image)


@torch.no_grad()
def cache_shard(dataset, teacher, indices, args, device):
    """Probabilities (or top-k) of every view of ``indices``."""
    from mmengine.dataset import pseudo_collate
    views = [(i, c) for i in indices for c in range(args.crops_per_image)]
    probs = []
    for start in range(0, len(views), args.batch_size):
        items = []
        for i, c in views[start:start + args.batch_size]:
            info = dataset.get_data_info(i)
            info['crop_idx'] = c
            items.append(dataset.pipeline(info))
        batch = teacher.data_preprocessor(pseudo_collate(items), False)
        logits = teacher(batch['inputs'].to(device), mode='tensor')
        probs.append(logits.float().softmax(dim=1).cpu())
    probs = torch.cat(probs).view(len(indices), args.crops_per_image, -1)
    infos = [dataset.get_data_info(i) for i in indices]
    shard = dict(labels=torch.tensor([int(d['gt_label']) for d in infos]),
                 paths=[d['img_path'] for d in infos])
    if args.topk:
        values, classes = probs.topk(args.topk, dim=2)
        shard.update(probs=values.half(), indices=classes.short())
    else:
        shard.update(probs=probs.half())
    return shard


def main(argv=None):
    args = parse_args(argv)
    with user_errors():
        if args.launcher == 'pytorch':
            torch.distributed.init_process_group(
                'nccl' if torch.cuda.is_available() else 'gloo')
        from mmengine.dist import get_dist_info
        rank, world = get_dist_info()
        device = f'cuda:{rank % torch.cuda.device_count()}' \
            if torch.cuda.is_available() else 'cpu'
        dataset, teacher, replay = build(args)
        teacher.to(device)
        os.makedirs(args.out, exist_ok=True)
        num = len(dataset)
        shards = [f'shard_{s:05d}.pth'
                  for s in range((num + args.shard_size - 1) //
                                 args.shard_size)]
        for s, name in enumerate(shards):
            path = osp.join(args.out, name)
            if s % world != rank or osp.isfile(path):
                continue  # another rank's, or cached by an earlier run
            indices = range(s * args.shard_size,
                            min(num, (s + 1) * args.shard_size))
            shard = cache_shard(dataset, teacher, indices, args, device)
            torch.save(shard, path + '.part')
            os.replace(path + '.part', path)
            print(f'{name}: images {indices.start}-{indices.stop - 1}',
                  flush=True)
        if world > 1:
            torch.distributed.barrier()
        if rank == 0:
            meta = dict(
                num_images=num, num_classes=len(dataset.metainfo['classes']),
                classes=list(dataset.metainfo['classes']),
                crops_per_image=args.crops_per_image, topk=args.topk,
                seed=replay.seed, fingerprint=replay.fingerprint,
                transforms=replay.transform_cfgs,
                shards=shards, teacher_config=args.config,
                teacher_checkpoint=args.checkpoint)
            with open(osp.join(args.out, 'meta.json'), 'w') as f:
                json.dump(meta, f, indent=1)
            size = sum(osp.getsize(osp.join(args.out, n)) for n in shards)
            print(f'cache of {num} images x {args.crops_per_image} views in '
                  f'{args.out}: {size / num:.0f} bytes per image')


if __name__ == '__main__':
    import mmkd_ext  # noqa: F401
    main()
