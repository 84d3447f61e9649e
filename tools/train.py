"""Train a model from an mmdet, mmseg, mmpretrain or mmkd_ext config.

Same command line as ``tools/train.py`` of mmdet 3.x::

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--cfg-options KEY=VALUE ...] [--launcher pytorch]
"""
import argparse
import os.path as osp

import mmkd_ext  # noqa: F401 (registries, safe checkpoint loading)
from mmkd_ext.utils.config import ConfigError, load_config
from tool_cli import (add_common_args, apply_common_args, build_runner,
                      end_distributed, parse_tool_args, user_errors)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from CKPT; without a value, from the latest checkpoint '
        'in the work dir')
    parser.add_argument(
        '--amp', action='store_true',
        help='enable automatic mixed precision training')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the learning rate with the real batch size')
    add_common_args(parser)
    return parse_tool_args(parser, argv)


def apply_train_args(cfg, args):
    apply_common_args(cfg, args)
    if args.amp:
        if cfg.optim_wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
            print('AMP training is already enabled in the config.')
        else:
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise ConfigError(
                f'--auto-scale-lr needs `auto_scale_lr = dict('
                f'base_batch_size=...)` in {args.config}')
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        if '://' not in args.resume and not osp.isfile(args.resume):
            raise FileNotFoundError(
                f'--resume checkpoint {args.resume!r} does not exist')
        cfg.resume = True
        cfg.load_from = args.resume
    return cfg


def main(argv=None):
    args = parse_args(argv)
    with user_errors():
        cfg = apply_train_args(load_config(args.config, args.cfg_options),
                               args)
        build_runner(cfg).train()
    end_distributed()


if __name__ == '__main__':
    main()
