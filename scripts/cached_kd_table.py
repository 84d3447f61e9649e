"""The digits evidence of configs/cached_kd/README.md: KD from a cached
teacher against online KD, in the demo's regime (LeNet-5 on 5 % of the
training digits, the demo's ResNet-18 teacher).

Caches the teacher of scripts/digits_kd_table.py (run that first: its
teacher and its online-KD runs are reused) for K = 50 views per training
digit, in fp16 and top-3, then trains the cached-KD student for each seed
and prints a markdown table of mean +- std top-1 with the cache sizes.

    .venv/bin/python scripts/cached_kd_table.py [--seeds 3]
"""
import argparse
import os.path as osp
import re

from experiment import (ROOT, last_checkpoint, markdown_table, run_tool,
                        seeds_table)

CONFIG = 'configs/cached_kd/kd-cached_resnet18-w32_lenet5_digits-5pct.py'
K = 50  # the config's crops_per_image
TEACHER = 'configs/demo/resnet18-w32_gray_digits.py'


def cache(teacher_ckpt, out, topk=0):
    """Write the cache; return its bytes per image."""
    log = osp.join(ROOT, 'work_dirs', 'cached_kd', 'cache.log')
    run_tool(['tools/cache_teacher.py', TEACHER, teacher_ckpt, out,
              '--crops-per-image', str(K), '--topk', str(topk),
              '--data-config', CONFIG], log)
    with open(log) as f:
        sizes = re.findall(rf'{re.escape(out)}: (\d+) bytes per image',
                           f.read())
    return int(sizes[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    args = parser.parse_args()
    teacher = last_checkpoint(osp.join(ROOT, 'work_dirs', 'digits',
                                       'demo_teacher'))
    sizes = {name: cache(teacher, f'work_dirs/cached_kd/digits_{name}', k)
             for name, k in ((f'k{K}', 0), (f'k{K}_top3', 3))}
    runs = [
        ('KD (tau 4)', 'configs/demo/kd_resnet18-w32_lenet5_digits-5pct.py',
         [f'model.teacher_ckpt={teacher}']),
        (f'KD (tau 4), cached teacher, K {K}, fp16', CONFIG, []),
        (f'KD (tau 4), cached teacher, K {K}, top-3', CONFIG,
         ['train_dataloader.dataset.dataset.pipeline.1.teacher_cache='
          f'work_dirs/cached_kd/digits_k{K}_top3']),
    ]
    rows = seeds_table(runs, args.seeds, reuse=('KD (tau 4)', ))
    print(markdown_table(rows, ('accuracy/top1', ), args.seeds))
    print(f'\ncache bytes per image (10 classes, K = {K}): fp16 '
          f'{sizes[f"k{K}"]}, top-3 {sizes[f"k{K}_top3"]}')


if __name__ == '__main__':
    main()
