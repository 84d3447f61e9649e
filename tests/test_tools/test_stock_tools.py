"""The drop-in path: the task libraries' own ``tools/train.py`` and
``tools/test.py`` (the copies mmdet, mmseg and mmpretrain install in their
``.mim/tools``) train, stop, resume and test a distiller from a folder
outside the repository, whose config inherits an ``mmkd_ext::`` base.

The stock tools read a config's bases before its ``custom_imports`` run;
the start-up hook that a (non-editable) install of mmkd_ext puts into
site-packages makes them resolve ``mmkd_ext::``. ``.ci/run`` runs this in
the OpenMMLab environment (scripts/setup_openmmlab_env.sh); the editable
development install has no hook, and skips it."""
import glob
import importlib.util
import os
import os.path as osp
import subprocess
import sys
import sysconfig

import numpy as np
import pytest
from mmengine.runner.checkpoint import CheckpointLoader

import mmkd_ext  # noqa: F401 (safe checkpoint loading)
from tiny_data import make_tiny_data
from work_dir import last_checkpoint, latest_test_metrics

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not osp.isfile(osp.join(sysconfig.get_paths()['purelib'],
                                'mmkd_ext_scope.pth')),
        reason='the mmkd_ext:: start-up hook comes with a non-editable '
        'install (.ci/run tests it in scripts/setup_openmmlab_env.sh)'),
]

# library -> (dataset kind, teacher base, distiller base, teacher schedule,
# distiller schedule with validation and checkpoints every `step`, the
# first stop, the metric save_best keeps)
CASES = {
    'mmpretrain': (
        'digits', 'demo/resnet18-w32_gray_digits.py',
        'demo/kd_resnet18-w32_lenet5_digits-5pct.py',
        'train_cfg = dict(max_epochs=1, val_interval=1)\n'
        'default_hooks = dict(checkpoint=dict(interval=1))',
        'train_cfg = dict(max_epochs=4, val_interval=2)\n'
        'default_hooks = dict(checkpoint=dict(interval=2, '
        "save_best='accuracy/top1'))",
        'train_cfg.max_epochs=2'),
    'mmdet': (
        'coco', 'acamkd/retinanet_r18_fpn_tiny-coco.py',
        'feature_kd/fpn-mse_retinanet_r18_r18-w16_fpn_tiny-coco.py',
        'train_cfg = dict(max_epochs=1)\n'
        'default_hooks = dict(checkpoint=dict(interval=1))',
        'train_cfg = dict(max_epochs=2, val_interval=1)\n'
        'default_hooks = dict(checkpoint=dict(interval=1, '
        "save_best='coco/bbox_mAP'))",
        'train_cfg.max_epochs=1'),
    'mmseg': (
        'cityscapes', 'acamkd/deeplabv3_r18-d8_tiny-cityscapes.py',
        'feature_kd/logit-mse_deeplabv3_r18-d8_r18-w16-d8_tiny-cityscapes.py',
        'train_cfg = dict(max_iters=2, val_interval=2)\n'
        'default_hooks = dict(checkpoint=dict(interval=2))',
        'train_cfg = dict(max_iters=4, val_interval=2)\n'
        "default_hooks = dict(checkpoint=dict(interval=2, save_best='mIoU'))",
        'train_cfg.max_iters=2'),
}
DATA_DIRS = dict(digits='digits', coco='acam_tiny_coco',
                 cityscapes='acam_tiny_cityscapes')


def stock_tool(library, name):
    """The library's own ``tools/<name>.py``, as installed with it."""
    package = importlib.util.find_spec(library).submodule_search_locations[0]
    return osp.join(package, '.mim', 'tools', f'{name}.py')


def run_stock(library, name, *args, cwd):
    # no PYTHONPATH: the tool sees what is installed, as a user's does
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    proc = subprocess.run(
        [sys.executable, stock_tool(library, name), *map(str, args)],
        cwd=cwd, env=dict(env, OMP_NUM_THREADS='1'), capture_output=True,
        text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f'{library} {name}.py {args}:\n{out[-4000:]}'
    return out


@pytest.mark.parametrize('library', sorted(CASES))
def test_stock_tools_train_resume_and_test_an_mmkd_ext_config(
        tmp_path, library):
    kind, teacher_base, distiller_base, teacher_schedule, schedule, \
        first_stop = CASES[library]
    project = tmp_path / 'my_project'  # the user's folder
    project.mkdir()
    make_tiny_data(kind, str(project / 'data' / DATA_DIRS[kind]))
    (project / 'teacher.py').write_text(
        f"_base_ = ['mmkd_ext::{teacher_base}']\n{teacher_schedule}\n")
    run_stock(library, 'train', 'teacher.py', '--work-dir', 'teacher',
              cwd=project)
    teacher_ckpt = last_checkpoint(project / 'teacher')
    (project / 'distill.py').write_text(
        f"_base_ = ['mmkd_ext::{distiller_base}']\n"
        "custom_imports = dict(imports=['mmkd_ext'], "
        "allow_failed_imports=False)\n"
        f'model = dict(teacher_ckpt={teacher_ckpt!r})\n{schedule}\n')

    run_stock(library, 'train', 'distill.py', '--work-dir', 'distill',
              '--cfg-options', first_stop, cwd=project)
    first = last_checkpoint(project / 'distill')
    hub = CheckpointLoader.load_checkpoint(first, 'cpu')['message_hub']
    best = hub['runtime_info']['best_score']
    if library == 'mmseg':
        # what IoUMetric returns: float32 under numpy 2, float64 under 1
        assert isinstance(best, np.floating)
    assert glob.glob(str(project / 'distill' / 'best_*.pth'))

    out = run_stock(library, 'train', 'distill.py', '--work-dir', 'distill',
                    '--resume', cwd=project)
    assert f'Load checkpoint from {first}' in out
    assert 'resumed' in out.lower()
    final = last_checkpoint(project / 'distill')
    assert final != first

    run_stock(library, 'test', 'distill.py', final, '--work-dir', 'tested',
              cwd=project)
    metrics = latest_test_metrics(project / 'tested')
    assert metrics, metrics


@pytest.mark.skipif(not osp.isfile(osp.join(osp.dirname(sys.executable),
                                            'mim')),
                    reason='openmim is not installed')
def test_mim_trains_an_mmkd_ext_config(tmp_path):
    make_tiny_data('imagenet', str(tmp_path / 'data' / 'tiny_imagenet'))
    (tmp_path / 'mine.py').write_text(
        "_base_ = ['mmkd_ext::smoke/resnet18_tiny-imagenet.py']\n"
        'train_cfg = dict(max_epochs=1)\n')
    proc = subprocess.run(
        [osp.join(osp.dirname(sys.executable), 'mim'), 'train', 'mmkd_ext',
         'mine.py', '--work-dir', 'wd'], cwd=tmp_path, capture_output=True,
        text=True, env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert osp.isfile(last_checkpoint(tmp_path / 'wd'))
