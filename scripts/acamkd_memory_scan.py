"""Peak memory of one ACAMLoss level (forward + backward) at growing H*W,
for configs/acamkd/README.md: it must grow linearly with the number of
positions N (the attention is never materialised as N x N).

Each size runs in a fresh process. On CPU the figure is the growth of the
process's peak RSS over its RSS just before the loss (inputs already
allocated); on CUDA, ``torch.cuda.max_memory_allocated`` over the same
baseline. ``--dense`` forces the math (N x N) kernel for contrast.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/acamkd_memory_scan.py \
        [--sizes 32 64 128] [--channels 256] [--device cpu] [--dense]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import torch
from torch.nn.attention import SDPBackend, sdpa_kernel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from mmkd_ext.models.losses import ACAMLoss  # noqa: E402


def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


def measure(side, channels, device, dense):
    """MB above the baseline and seconds of one forward + backward."""
    torch.manual_seed(0)
    loss = ACAMLoss(channels, channels, num_masks=6).to(device)
    student = torch.randn(1, channels, side, side, device=device,
                          requires_grad=True)
    teacher = torch.randn(1, channels, side, side, device=device)
    backends = [SDPBackend.MATH] if dense else [
        SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION]
    if device == 'cuda':
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated() / 2**20
        torch.cuda.reset_peak_memory_stats()
    else:
        base = rss_mb()
    start = time.perf_counter()
    with sdpa_kernel(backends):
        loss(student, teacher).backward()
    if device == 'cuda':
        torch.cuda.synchronize()
        peak = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return peak - base, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', type=int, nargs='+', default=[32, 64, 128])
    parser.add_argument('--channels', type=int, default=256)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--dense', action='store_true')
    parser.add_argument('--one', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.channels, args.device,
                                 args.dense)))
        return
    kernel = 'math (dense)' if args.dense else 'fused'
    print(f'ACAMLoss(C={args.channels}, M=6), batch 1, {kernel} kernel, '
          f'{args.device}, torch {torch.__version__}')
    print('| H x W | N | peak MB over baseline | peak / previous (4x N) | '
          'seconds (f+b) |\n|---|---|---|---|---|')
    previous = None
    for side in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, '--one', str(side), '--channels',
             str(args.channels), '--device', args.device] +
            (['--dense'] if args.dense else []),
            capture_output=True, text=True, check=True)
        peak, seconds = json.loads(out.stdout.strip().splitlines()[-1])
        growth = f'{peak / previous:.2f}' if previous else '-'
        print(f'| {side} x {side} | {side * side} | {peak:.1f} | {growth} | '
              f'{seconds:.2f} |', flush=True)
        previous = peak


if __name__ == '__main__':
    main()
