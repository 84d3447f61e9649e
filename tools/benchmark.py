"""Cost of distillation: time and memory of a distillation training step
against a student-only training step plus a teacher forward, on one batch.

    python tools/benchmark.py CONFIG [--repeats 10] [--warmup 3]
        [--device cuda|cpu] [--cfg-options KEY=VALUE ...]

All three run in this process on the same batch, interleaved, after warm-up;
the medians are compared as ``distill_step / (student_step + teacher_forward)``.
With ``--loss-scale 0`` (every distillation weight 0, as during a warm-up)
the distillation step skips the teacher. Memory is the peak allocated on
CUDA per phase; on CPU, the process's peak RSS
after the first run of each phase, in the order teacher, student, distill
(a high-water mark: each figure includes the phases before it).

A fourth phase times the distillation losses alone (forward and backward
on taps recorded once, e.g. the ACAM-KD fusion and mask modules), and a
second ratio compares the distillation step with the sum of all three
parts: ``distill_step / (student_step + teacher_forward + losses)``.
"""
import argparse
import resource
import statistics
import time

import torch
from mmengine.config import DictAction
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import mmkd_ext  # noqa: F401
from mmkd_ext.models.distillers import BaseDistiller
from mmkd_ext.registry import MODELS
from mmkd_ext.utils.config import ConfigError, load_config
from tool_cli import user_errors


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='a distiller config')
    parser.add_argument('--repeats', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--loss-scale', type=float, default=1.0,
        help='weight of every distillation loss in the distillation step, '
        'as DistillLossScheduleHook sets it (0: warm-up or stopped '
        'distillation, where the teacher does not run)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


class Phase:
    """Times and peak memory of one callable."""

    def __init__(self, name, fn, device):
        self.name, self.fn, self.device = name, fn, device
        self.times, self.peak_mb = [], 0.0

    @property
    def cuda(self):
        return self.device.startswith('cuda')

    def run(self, record=True):
        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        self.fn()
        if self.cuda:
            torch.cuda.synchronize()
        if record:
            self.times.append(time.perf_counter() - start)
        self.peak_mb = max(self.peak_mb, self.peak_memory_mb())

    def peak_memory_mb(self):
        if self.cuda:
            return torch.cuda.max_memory_allocated() / 2**20
        if self.peak_mb:  # CPU: the high-water mark of the first run only
            return self.peak_mb
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    @property
    def median(self):
        return statistics.median(self.times)


def build(cfg, device):
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    model_cfg = cfg.model.copy()
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    if not isinstance(model, BaseDistiller):
        raise ConfigError(f'{type(model).__name__} is not a distiller: '
                          f'tools/benchmark.py compares a distiller with its '
                          f'student')
    # timing needs no trained weights: skip init_weights (and its downloads)
    model.to(device).train()
    data = next(iter(Runner.build_dataloader(cfg.train_dataloader)))
    return model, data


def _leaf(value):
    """Tensors of a loss's arguments as fresh leaves that require grad
    (floating point ones); anything else as it is."""
    if isinstance(value, torch.Tensor):
        return value.detach().requires_grad_(value.is_floating_point())
    if isinstance(value, (tuple, list)):
        return type(value)(_leaf(v) for v in value)
    if isinstance(value, dict):
        return {k: _leaf(v) for k, v in value.items()}
    return value


def distill_losses_step(model, batch):
    """A callable: the distillation losses, forward and backward, on the
    taps of one teacher and one student forward (recorded here once)."""
    samples = batch['data_samples']
    with model.recorded_taps(batch['inputs'], samples):
        calls = {term: _leaf(term.arguments(model.tap_sources, samples))
                 for term in model.terms.values()}

    def step():
        total = 0
        for term, (args, kwargs) in calls.items():
            out = term.loss(*args, **kwargs)
            total = total + term.split(out)[0]
        total.backward()
        model.distill_losses.zero_grad()

    return step


def main(argv=None):
    args = parse_args(argv)
    with user_errors():
        cfg = load_config(args.config, args.cfg_options)
        model, data = build(cfg, args.device)
    for term in model.terms.values():
        term.scale = args.loss_scale
    distill_optim = build_optim_wrapper(model, cfg.optim_wrapper)
    student_optim = build_optim_wrapper(model.student, cfg.optim_wrapper)
    batch = model.data_preprocessor(data, training=True)

    def student_step():
        model.student.train_step(data, student_optim)
        model.student_taps.clear()

    def teacher_forward():
        model.teacher.record(batch['inputs'], batch['data_samples'])
        model.teacher.clear()

    phases = [Phase('teacher forward (no_grad)', teacher_forward, args.device),
              Phase('student-only step', student_step, args.device),
              Phase('distillation step',
                    lambda: model.train_step(data, distill_optim),
                    args.device),
              Phase('distillation losses (f+b)',
                    distill_losses_step(model, batch), args.device)]
    for index in range(args.warmup + args.repeats):
        for phase in phases:
            phase.run(record=index >= args.warmup)
    teacher, student, distill, losses = phases
    memory = 'peak CUDA MB' if args.device.startswith('cuda') else \
        'process peak RSS MB'
    print(f'{args.config} on {args.device}, batch of {len(data["inputs"])}, '
          f'median of {args.repeats} after {args.warmup} warm-up, '
          f'distillation loss scale {args.loss_scale:g}')
    for phase in phases:
        print(f'  {phase.name:<28} {phase.median * 1000:9.1f} ms   '
              f'{memory} {phase.peak_mb:9.1f}')
    ratio = distill.median / (student.median + teacher.median)
    print(f'  ratio distill / (student + teacher) = {ratio:.3f}')
    ratio = distill.median / (student.median + teacher.median + losses.median)
    print(f'  ratio distill / (student + teacher + losses) = {ratio:.3f}')


if __name__ == '__main__':
    main()
