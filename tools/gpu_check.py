"""The CUDA path in one table: mmcv's CUDA ops against references, one AMP
training step of each smoke config and of one distiller per task, STCA-FF's
attention kernel and memory, and the distillation benchmarks.

    python tools/gpu_check.py [--device cuda|cpu] [--skip-benchmarks]

``tools/gpu_check.sh`` runs it on the GPU machine after installing the
stack. With ``--device cpu`` (the fallback the tests run) every check that
has a CPU meaning runs on CPU (ops against their references, fp32 steps,
the kernel choice); the CUDA-only rows say so. Each row is
``check | result | ok``; the exit status is 1 when a row failed.
"""
import argparse
import math
import os
import os.path as osp
import subprocess
import sys
import traceback

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path[:0] = [ROOT, osp.join(ROOT, 'tools')]

STEP_CONFIGS = [
    'configs/smoke/resnet18_tiny-imagenet.py',
    'configs/smoke/retinanet_r18_fpn_tiny-coco.py',
    'configs/smoke/deeplabv3_r18-d8_tiny-cityscapes.py',
    'configs/demo/nkd_resnet18-w32_lenet5_digits-5pct.py',
    'configs/acamkd/acamkd_retinanet_r18_r18-w16_fpn_tiny-coco.py',
    'configs/acamkd/acamkd_deeplabv3_r18-d8_r18-w16-d8_tiny-cityscapes.py',
]
BENCHMARKS = [
    ('RetinaNet R101 -> R50 ACAM-KD, 1333x800, batch 2',
     'configs/acamkd/acamkd_retinanet_r101_r50_fpn_2x_coco.py', 'coco',
     ['train_dataloader.batch_size=2']),
    ('NKD R34 -> R18, 224x224, batch 32',
     'configs/nkd/nkd_resnet34_resnet18_8xb32_in1k.py', 'imagenet',
     ['train_dataloader.batch_size=32']),
]


class Table:
    """Rows of ``check | result | ok``, printed as they come."""

    def __init__(self):
        self.rows = []
        print('| check | result | ok |\n|---|---|---|', flush=True)

    def add(self, check, result, ok):
        self.rows.append((check, result, ok))
        mark = {True: 'yes', False: 'NO', None: 'n/a'}[ok]
        print(f'| {check} | {result} | {mark} |', flush=True)

    def run(self, check, fn):
        """Add the row ``fn()`` returns as (result, ok); a failure is a row
        too."""
        try:
            self.add(check, *fn())
        except Exception as err:  # a failed check is a row, not a crash
            traceback.print_exc(file=sys.stderr)
            self.add(check, f'{type(err).__name__}: {err}'[:200], False)

    @property
    def failed(self):
        return any(ok is False for _, _, ok in self.rows)


def close(a, b, atol=1e-4):
    err = (a.float().cpu() - b.float().cpu()).abs().max().item()
    return f'max abs diff {err:.2e}', err <= atol


# -- mmcv ops -----------------------------------------------------------------
def random_boxes(gen, num, size=100.):
    xy = torch.rand(num, 2, generator=gen) * size
    wh = 5 + torch.rand(num, 2, generator=gen) * size / 3
    return torch.cat([xy, xy + wh], 1)


def check_nms(device):
    import torchvision
    from mmcv.ops import nms
    gen = torch.Generator().manual_seed(0)
    boxes, scores = random_boxes(gen, 500), torch.rand(500, generator=gen)
    _, keep = nms(boxes.to(device), scores.to(device), 0.5)
    reference = torchvision.ops.nms(boxes, scores, 0.5)
    same = torch.equal(keep.cpu().sort().values, reference.sort().values)
    return f'{len(keep)} boxes kept, as torchvision\'s CPU nms: {same}', same


def check_focal_loss(device):
    from mmcv.ops import sigmoid_focal_loss
    if device == 'cpu':
        return 'mmcv has no CPU kernel (CUDA only)', None
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(64, 80, generator=gen)
    labels = torch.randint(0, 80, (64, ), generator=gen)
    ours = sigmoid_focal_loss(logits.to(device), labels.to(device), 2.0,
                              0.25, None, 'mean')
    # the formula (mmdet's py_sigmoid_focal_loss)
    target = torch.nn.functional.one_hot(labels, 80).float()
    p = logits.sigmoid()
    pt = (1 - p) * target + p * (1 - target)
    weight = (0.25 * target + 0.75 * (1 - target)) * pt.pow(2)
    reference = (torch.nn.functional.binary_cross_entropy_with_logits(
        logits, target, reduction='none') * weight).mean()
    return close(ours, reference, atol=1e-5)


def check_roi_align(device):
    import torchvision
    from mmcv.ops import roi_align
    gen = torch.Generator().manual_seed(0)
    feats = torch.randn(2, 16, 32, 32, generator=gen)
    rois = torch.cat([torch.randint(0, 2, (20, 1), generator=gen).float(),
                      random_boxes(gen, 20, 28.)], 1)
    ours = roi_align(feats.to(device), rois.to(device), (7, 7), 1.0, 2,
                     'avg', True)
    reference = torchvision.ops.roi_align(feats, rois, (7, 7), 1.0, 2, True)
    return close(ours, reference)


def check_deform_conv(device):
    from mmcv.ops import deform_conv2d
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 8, 16, 16, generator=gen)
    weight = torch.randn(8, 8, 3, 3, generator=gen)
    offset = torch.randn(2, 18, 16, 16, generator=gen)
    ours = deform_conv2d(x.to(device), offset.to(device), weight.to(device),
                         1, 1, 1)
    if device == 'cpu':  # zero offsets: a plain convolution
        zero = deform_conv2d(x, torch.zeros_like(offset), weight, 1, 1, 1)
        return close(zero, torch.nn.functional.conv2d(x, weight, padding=1))
    return close(ours, deform_conv2d(x, offset, weight, 1, 1, 1))


# -- training steps -------------------------------------------------------------
def check_step(config, device, amp):
    """One training step of ``config`` on a generated batch; the losses
    must be finite."""
    from mmengine.optim import AmpOptimWrapper
    from mmengine.registry import DefaultScope
    from mmkd_ext.utils.config import load_config
    from synthetic_batch import build_for_training, fixed_batch, num_classes
    scope = load_config(osp.join(ROOT, config)).default_scope
    with DefaultScope.overwrite_default_scope(scope):
        cfg, model, optim_wrapper = build_for_training(config, ROOT)
        model.to(device).train()
        if amp:
            optim_wrapper = AmpOptimWrapper(
                optimizer=optim_wrapper.optimizer, loss_scale='dynamic')
        log = model.train_step(fixed_batch(config, cfg, num_classes(model)),
                               optim_wrapper)
    values = {k: float(v) for k, v in log.items() if k.startswith('loss')}
    finite = all(math.isfinite(v) for v in values.values())
    return f"loss {values['loss']:.4f}, {len(values) - 1} loss terms " \
        f"{'(AMP)' if amp else '(fp32)'}", finite


# -- STCA-FF --------------------------------------------------------------------
def check_stcaff_kernel(device):
    """The kernel torch picks for STCA-FF's attention (fp32, as under AMP:
    the attention runs with autocast off)."""
    from unittest import mock

    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend
    from mmkd_ext.models.modules import STCAFF
    seen = []
    sdpa = F.scaled_dot_product_attention

    def spy(q, k, v, **kwargs):
        seen.append(SDPBackend(torch._fused_sdp_choice(q, k, v)).name)
        return sdpa(q, k, v, **kwargs)

    module = STCAFF(256).to(device)
    x = torch.randn(2, 256, 32, 32, device=device, requires_grad=True)
    with mock.patch.object(F, 'scaled_dot_product_attention', spy):
        module(x, x).sum().backward()
    fused = all(n in ('FLASH_ATTENTION', 'EFFICIENT_ATTENTION') for n in seen)
    return ', '.join(seen), bool(seen) and fused


def check_acam_memory(device):
    if device == 'cpu':
        return 'peak CUDA memory: CUDA only (CPU: scripts/acamkd_memory_' \
            'scan.py)', None
    from mmkd_ext.models.losses import ACAMLoss
    peaks = []
    for size in (64, 128):
        loss = ACAMLoss(256, 256).to(device)
        student = torch.randn(1, 256, size, size, device=device,
                              requires_grad=True)
        teacher = torch.randn(1, 256, size, size, device=device)
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        start = torch.cuda.memory_allocated()
        loss(student, teacher)['loss'].backward()
        torch.cuda.synchronize()
        peaks.append((torch.cuda.max_memory_allocated() - start) / 2**20)
    ratio = peaks[1] / peaks[0]
    return (f'64x64 {peaks[0]:.1f} MB, 128x128 {peaks[1]:.1f} MB, ratio '
            f'{ratio:.2f} (<= 4.5)', ratio <= 4.5)


# -- benchmarks -----------------------------------------------------------------
def check_benchmark(config, kind, options, device, data_root):
    from tiny_data import make_tiny_data
    root = osp.join(data_root, kind)
    make_tiny_data(kind, root, overwrite=True)
    options = [
        'model.teacher_ckpt=None', f'train_dataloader.dataset.data_root='
        f'{root}', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False', *options]
    if kind == 'imagenet':  # the tiny layout's 4 classes, all of them
        options.append('train_dataloader.dataset.split=train')
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'benchmark.py'), config,
         '--device', device, '--repeats', '5', '--warmup', '2',
         '--cfg-options', *options], capture_output=True, text=True)
    if proc.returncode != 0:
        return proc.stderr.strip().splitlines()[-1][:200], False
    lines = [line.strip() for line in proc.stdout.splitlines()
             if 'ms' in line or 'ratio' in line]
    return '; '.join(lines), True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--skip-benchmarks', action='store_true')
    parser.add_argument('--data-root', default=osp.join(ROOT, 'data',
                                                        'gpu_check'))
    args = parser.parse_args(argv)
    import mmkd_ext  # noqa: F401
    from mmengine.logging import MMLogger
    MMLogger.get_instance('gpu_check', log_level='WARNING')
    device, cuda = args.device, args.device.startswith('cuda')
    table = Table()
    if cuda:
        table.add('device', torch.cuda.get_device_name() + ', capability '
                  + '.'.join(map(str, torch.cuda.get_device_capability())),
                  True)
    for name, fn in (('mmcv nms', check_nms),
                     ('mmcv sigmoid focal loss', check_focal_loss),
                     ('mmcv roi_align', check_roi_align),
                     ('mmcv deform_conv2d', check_deform_conv)):
        table.run(f'{name} ({device})', lambda fn=fn: fn(device))
    for config in STEP_CONFIGS:
        table.run(f'one step {"with --amp " if cuda else ""}of '
                  f'{osp.basename(config)}',
                  lambda config=config: check_step(config, device, cuda))
    table.run('STCA-FF attention kernel', lambda: check_stcaff_kernel(device))
    table.run('ACAMLoss forward+backward memory',
              lambda: check_acam_memory(device))
    for name, config, kind, options in BENCHMARKS:
        if args.skip_benchmarks or not cuda:
            table.add(f'benchmark {name}', 'skipped (CUDA runs only)', None)
            continue
        table.run(f'benchmark {name}', lambda c=config, k=kind, o=options:
                  check_benchmark(c, k, o, device, args.data_root))
    sys.exit(1 if table.failed else 0)


if __name__ == '__main__':
    os.environ.setdefault('OMP_NUM_THREADS', '4')
    main()
