"""Evaluate a checkpoint with an mmdet, mmseg, mmpretrain or mmkd_ext config.

Same command line as ``tools/test.py`` of mmdet 3.x::

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE.pkl]
        [--show-dir DIR] [--cfg-options KEY=VALUE ...] [--launcher pytorch]

For a distiller config the student is evaluated with the student's metrics.
"""
import argparse
import os.path as osp

import mmkd_ext  # noqa: F401 (registries, safe checkpoint loading)
from mmkd_ext.utils.config import ConfigError, load_config
from tool_cli import (add_common_args, apply_common_args, build_runner,
                      end_distributed, parse_tool_args, user_errors)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out', help='dump predictions to a pickle file (.pkl/.pickle)')
    parser.add_argument(
        '--show-dir',
        help='save painted predictions into this dir (relative to the run '
        'folder in the work dir)')
    add_common_args(parser)
    return parse_tool_args(parser, argv)


def enable_show_dir(cfg, show_dir):
    """Switch on the task library's visualization hook for testing."""
    hook = cfg.get('default_hooks', {}).get('visualization')
    if hook is None:
        raise ConfigError('--show-dir needs default_hooks.visualization in '
                          'the config')
    kind = hook['type'].rpartition('.')[-1]
    if kind == 'DetVisualizationHook':  # mmdet
        hook.update(draw=True, test_out_dir=show_dir)
    elif kind == 'SegVisualizationHook':  # mmseg
        hook.update(draw=True)
        cfg.visualizer.update(
            save_dir=show_dir, vis_backends=[dict(type='LocalVisBackend')])
    elif kind == 'VisualizationHook':  # mmpretrain
        hook.update(enable=True, out_dir=show_dir)
    else:
        raise ConfigError(
            f'--show-dir does not know the visualization hook {kind!r} of '
            f'default_hooks.visualization')


def apply_test_args(cfg, args):
    apply_common_args(cfg, args)
    if '://' not in args.checkpoint and not osp.isfile(args.checkpoint):
        raise FileNotFoundError(
            f'CHECKPOINT {args.checkpoint!r} does not exist')
    cfg.load_from = args.checkpoint
    if args.show_dir:
        enable_show_dir(cfg, args.show_dir)
    if args.out is not None and not args.out.endswith(('.pkl', '.pickle')):
        raise ConfigError(f'--out must be a .pkl or .pickle file, got '
                          f'{args.out!r}')
    return cfg


def main(argv=None):
    args = parse_args(argv)
    with user_errors():
        cfg = apply_test_args(load_config(args.config, args.cfg_options),
                              args)
        runner = build_runner(cfg)
        if args.out is not None:
            from mmengine.evaluator import DumpResults
            runner.test_evaluator.metrics.append(
                DumpResults(out_file_path=args.out))
        runner.test()
    end_distributed()


if __name__ == '__main__':
    main()
