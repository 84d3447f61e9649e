"""The command lines of tools/train.py and tools/test.py map onto the config
as mmdet's do (fast: no training)."""
import importlib.util
import os
import os.path as osp
import subprocess

import pytest
import torch

from conftest import ROOT, config_path
from mmkd_ext.utils.config import ConfigError, load_config

DISTILL_DEMO = config_path('demo', 'nkd_resnet18-w32_lenet5_digits-5pct.py')


def tool(name):
    spec = importlib.util.spec_from_file_location(
        f'tool_{name}', osp.join(ROOT, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_cfg(*argv):
    train = tool('train')
    args = train.parse_args([DISTILL_DEMO, *argv])
    return train.apply_train_args(load_config(args.config, args.cfg_options),
                                  args)


def test_amp_config_path():
    cfg = train_cfg('--amp')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    if torch.cuda.is_available():  # builds only where AMP can run
        from mmengine.optim import build_optim_wrapper
        wrapper = build_optim_wrapper(torch.nn.Linear(2, 2).cuda(),
                                      cfg.optim_wrapper)
        assert type(wrapper).__name__ == 'AmpOptimWrapper'


def test_defaults_and_options():
    cfg = train_cfg('--cfg-options', 'train_cfg.max_epochs=3')
    assert cfg.work_dir == osp.join('./work_dirs',
                                    'nkd_resnet18-w32_lenet5_digits-5pct')
    assert cfg.train_cfg.max_epochs == 3 and cfg.launcher == 'none'
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.model.type == 'mmkd_ext.ClassificationDistiller'


def test_resume_auto_and_explicit(tmp_path):
    cfg = train_cfg('--resume')
    assert cfg.resume is True and cfg.load_from is None
    ckpt = tmp_path / 'epoch_1.pth'
    ckpt.write_bytes(b'')
    cfg = train_cfg('--resume', str(ckpt))
    assert cfg.resume is True and cfg.load_from == str(ckpt)


def test_auto_scale_lr():
    assert train_cfg('--auto-scale-lr').auto_scale_lr.enable is True


def test_auto_scale_lr_without_base_batch_size(tmp_path):
    cfg = tmp_path / 'no_base.py'
    cfg.write_text(f"_base_ = [{DISTILL_DEMO!r}]\n"
                   "auto_scale_lr = dict(_delete_=True)\n")
    train = tool('train')
    args = train.parse_args([str(cfg), '--auto-scale-lr'])
    with pytest.raises(ConfigError, match='base_batch_size'):
        train.apply_train_args(load_config(args.config), args)


@pytest.mark.parametrize('config, hook_key, value', [
    (config_path('smoke', 'resnet18_tiny-imagenet.py'), 'out_dir', 'vis'),
    (config_path('smoke', 'retinanet_r18_fpn_tiny-coco.py'), 'test_out_dir',
     'vis'),
])
def test_show_dir_switches_on_the_library_hook(tmp_path, config, hook_key,
                                               value):
    test = tool('test')
    ckpt = tmp_path / 'model.pth'
    ckpt.write_bytes(b'')
    args = test.parse_args([config, str(ckpt), '--show-dir', value])
    cfg = test.apply_test_args(load_config(config), args)
    assert cfg.default_hooks.visualization[hook_key] == value
    assert cfg.load_from == str(ckpt)


def test_show_dir_mmseg(tmp_path):
    test = tool('test')
    config = config_path('smoke', 'deeplabv3_r18-d8_tiny-cityscapes.py')
    ckpt = tmp_path / 'model.pth'
    ckpt.write_bytes(b'')
    args = test.parse_args([config, str(ckpt), '--show-dir', 'vis'])
    cfg = test.apply_test_args(load_config(config), args)
    assert cfg.default_hooks.visualization.draw is True
    assert cfg.visualizer.save_dir == 'vis'


def test_out_must_be_pickle(tmp_path):
    test = tool('test')
    ckpt = tmp_path / 'model.pth'
    ckpt.write_bytes(b'')
    args = test.parse_args([DISTILL_DEMO, str(ckpt), '--out', 'preds.json'])
    with pytest.raises(ConfigError, match='.pkl'):
        test.apply_test_args(load_config(DISTILL_DEMO), args)


def test_library_config_path_as_config():
    cfg = load_config('mmpretrain::resnet/resnet18_8xb32_in1k.py')
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.model.backbone.depth == 18


@pytest.mark.parametrize('script, args, expected', [
    ('slurm_train.sh', ['gpu', 'job', 'cfg.py', 'wd', '--amp'],
     ['train.py', 'cfg.py', '--work-dir=wd', '--amp', '--launcher=slurm']),
    ('slurm_test.sh', ['gpu', 'job', 'cfg.py', 'ckpt.pth', '--out', 'o.pkl'],
     ['test.py', 'cfg.py', 'ckpt.pth', '--out', 'o.pkl', '--launcher=slurm']),
])
def test_slurm_scripts_call_srun_as_mmdets_do(tmp_path, script, args,
                                               expected):
    # a stand-in srun that writes down its arguments, one per line
    (tmp_path / 'srun').write_text(
        '#!/bin/sh\nprintf "%s\\n" "$@" > "$SRUN_ARGV"\n')
    (tmp_path / 'srun').chmod(0o755)
    env = dict(os.environ, PATH=f'{tmp_path}{os.pathsep}{os.environ["PATH"]}',
               SRUN_ARGV=str(tmp_path / 'argv'), GPUS='16',
               SRUN_ARGS='--quotatype=auto --time=1')
    subprocess.run(['bash', osp.join(ROOT, 'tools', script), *args],
                   env=env, check=True, capture_output=True)
    argv = (tmp_path / 'argv').read_text().splitlines()
    assert argv[:8] == ['-p', 'gpu', '--job-name=job', '--gres=gpu:8',
                        '--ntasks=16', '--ntasks-per-node=8',
                        '--cpus-per-task=5', '--kill-on-bad-exit=1']
    assert argv[8:10] == ['--quotatype=auto', '--time=1']
    assert argv[10:12] == ['python', '-u']
    assert osp.basename(argv[12]) == expected[0]
    assert argv[13:] == expected[1:]
