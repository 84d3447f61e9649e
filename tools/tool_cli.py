"""Command-line helpers shared by ``tools/train.py``, ``tools/test.py`` and
``tools/benchmark.py``: common arguments, the CPU launcher, and one-line
errors for a user's mistakes."""
import contextlib
import os
import os.path as osp
import sys

from mmengine.config import DictAction

from mmkd_ext.utils.checkpoint import UnsafeCheckpointError
from mmkd_ext.utils.config import ConfigError


def apply_common_args(cfg, args):
    """Apply the arguments that train and test share: work dir, launcher."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join(
            './work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg


def add_common_args(parser):
    """Arguments that ``tools/train.py`` and ``tools/test.py`` share."""
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, key=value (xxx=yyy format)')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_tool_args(parser, argv=None):
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def prepare_cpu_distributed(cfg):
    """Make the ``pytorch`` launcher work on a machine without CUDA.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally
    and its default DDP wrapper passes ``device_ids=[LOCAL_RANK]``; both fail
    on CPU. So the process group is started here with gloo (the Runner then
    finds it initialised and keeps it) and the DDP wrapper (the config's
    ``model_wrapper_cfg``, e.g. ``MMSeparateDistributedDataParallel``, or
    mmengine's default) gets ``device_ids=None``."""
    import torch
    import torch.distributed as dist
    if cfg.launcher != 'pytorch' or torch.cuda.is_available() or \
            dist.is_initialized():
        return
    backend = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('backend')
    if backend not in (None, 'gloo'):
        print(f'env_cfg.dist_cfg.backend={backend!r} needs CUDA; using '
              f'gloo on this CPU-only machine')
    dist.init_process_group(backend='gloo')
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel', broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg.setdefault('device_ids', None)


def build_runner(cfg):
    """Build mmengine's Runner, or the config's ``runner_type``."""
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    prepare_cpu_distributed(cfg)
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)


def end_distributed():
    """Destroy the process group that training or testing used, if any:
    a process that exits with gloo's threads still running can abort
    (``terminate called without an active exception``)."""
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


@contextlib.contextmanager
def user_errors():
    """Exit with ``error: <message>`` instead of a traceback for the
    mistakes a user makes: a missing file, a bad config (including the
    distillers' and losses' config and input errors, subclasses of
    ``ConfigError``), an unsafe checkpoint."""
    try:
        yield
    except (FileNotFoundError, ConfigError, UnsafeCheckpointError) as err:
        sys.exit(f'error: {err}')
