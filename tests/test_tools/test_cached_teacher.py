"""Distillation from a cached teacher: tools/cache_teacher.py stores the
teacher's soft labels for K replayable views of every training image; the
stored labels equal the online teacher's on the same views; a cache that
does not fit is refused naming the file; a student trains from the cache
through tools/train.py with no teacher built."""
import os.path as osp

import pytest
import torch

from conftest import config_path, run_tool
from tiny_data import make_tiny_data
from work_dir import train_log

pytestmark = pytest.mark.slow

SMOKE = config_path('smoke', 'resnet18_tiny-imagenet.py')
REPLAY = ("dict(type='mmkd_ext.ReplayedAugment', crops_per_image={k}, "
          "seed={seed}, teacher_cache={cache!r}, transforms=["
          "dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.5, "
          "1.0)), dict(type='RandomFlip', prob=0.5)])")
DATA_CONFIG = """
_base_ = [{smoke!r}]
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'), {replay},
    dict(type='PackInputs', meta_keys=('sample_idx', 'img_path',
                                       'teacher_logits'))]))
"""
CACHED_KD = """
_base_ = [{data!r}]
model = dict(
    _delete_=True, type='mmkd_ext.ClassificationDistiller',
    student=dict(_base_.model, backbone=dict(_base_.model.backbone,
        base_channels=16, stem_channels=16), head=dict(_base_.model.head,
        in_channels=128)),
    teacher='cached',
    distill_losses=dict(kd=dict(type='KDLoss', student_tap='head.fc',
                                teacher_tap='head.fc')))
train_cfg = dict(max_epochs=1)
"""


def write(path, text):
    path.write_text(text)
    return str(path)


def data_config(tmp_path, name, k=2, seed=0, cache=None):
    return write(tmp_path / name, DATA_CONFIG.format(
        smoke=SMOKE, replay=REPLAY.format(k=k, seed=seed, cache=cache)))


@pytest.fixture(scope='module')
def cached(tmp_path_factory):
    """(folder, teacher checkpoint, data config, cache folder)."""
    from mmengine.registry import DefaultScope
    from mmkd_ext.registry import MODELS
    from mmkd_ext.utils.config import load_config
    root = tmp_path_factory.mktemp('cache')
    make_tiny_data('imagenet', str(root / 'data' / 'tiny_imagenet'))
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        teacher = MODELS.build(load_config(SMOKE).model)
    ckpt = root / 'teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), ckpt)
    config = data_config(root, 'data_cfg.py')
    out = root / 'cache'
    proc = run_tool('cache_teacher.py', SMOKE, ckpt, out,
                    '--crops-per-image', 2, '--data-config', config,
                    '--shard-size', 20, cwd=root)
    assert 'bytes per image' in proc.stdout
    return root, ckpt, config, out


def test_cached_soft_labels_equal_the_online_teacher(cached):
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import DATASETS, DefaultScope
    from mmengine.runner import load_checkpoint
    from mmkd_ext.datasets.transforms.replay import TeacherCache
    from mmkd_ext.registry import MODELS
    from mmkd_ext.utils.config import load_config
    import os
    root, ckpt, config, out = cached
    cache = TeacherCache(str(out))
    assert cache.meta['num_images'] == 64 and len(cache.meta['shards']) == 4
    cwd = os.getcwd()
    os.chdir(root)
    try:
        cfg = load_config(config)
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            dataset = DATASETS.build(cfg.train_dataloader.dataset)
            teacher = MODELS.build(dict(cfg.model, data_preprocessor=cfg.
                                        data_preprocessor)).eval()
        load_checkpoint(teacher, str(ckpt))
        for i, c in ((0, 0), (0, 1), (37, 1), (63, 0)):
            info = dataset.get_data_info(i)
            info['crop_idx'] = c
            batch = teacher.data_preprocessor(
                pseudo_collate([dataset.pipeline(info)]), False)
            with torch.no_grad():
                online = teacher(batch['inputs'], mode='tensor').softmax(1)
            torch.testing.assert_close(cache.log_probs(i, c).exp(),
                                       online[0], atol=2e-3, rtol=1e-2)
        # the two views of an image are different crops
        assert not torch.allclose(cache.log_probs(0, 0), cache.log_probs(0, 1))
    finally:
        os.chdir(cwd)


def test_an_interrupted_cache_resumes(cached):
    root, ckpt, config, out = cached
    (out / 'shard_00002.pth').unlink()
    proc = run_tool('cache_teacher.py', SMOKE, ckpt, out,
                    '--crops-per-image', 2, '--data-config', config,
                    '--shard-size', 20, cwd=root)
    assert [line.split(':')[0] for line in proc.stdout.splitlines()
            if line.startswith('shard_')] == ['shard_00002.pth']


def test_student_trains_from_the_cache_without_a_teacher(cached):
    root, ckpt, config, out = cached
    data = data_config(root, 'data_cached.py', cache=str(out))
    cfg = write(root / 'cached_kd.py', CACHED_KD.format(data=data))
    proc = run_tool('train.py', cfg, '--work-dir', root / 'wd', cwd=root)
    assert 'teacher.backbone' not in proc.stdout + proc.stderr
    records = [r for r in train_log(root / 'wd') if 'loss_kd' in r]
    assert len(records) == 4  # 64 images, batch 16


@pytest.mark.parametrize('change, mismatch', [
    (dict(k=3), 'another pipeline'),
    (dict(seed=1), 'another pipeline'),
])
def test_a_cache_of_other_views_is_refused(cached, change, mismatch):
    from mmengine.registry import DefaultScope
    from mmkd_ext.datasets.transforms import ReplayedAugment, \
        TeacherCacheError
    _, _, _, out = cached
    kwargs = dict(k=2, seed=0)
    kwargs.update(change)
    with pytest.raises(TeacherCacheError,
                       match=f"teacher_cache '{out}'.*{mismatch}"), \
            DefaultScope.overwrite_default_scope('mmpretrain'):
        ReplayedAugment(
            [dict(type='RandomResizedCrop', scale=32,
                  crop_ratio_range=(0.5, 1.0)),
             dict(type='RandomFlip', prob=0.5)], kwargs['k'],
            kwargs['seed'], teacher_cache=str(out))


def test_a_cache_of_another_dataset_is_refused(cached):
    from mmkd_ext.datasets.transforms.replay import (TeacherCache,
                                                     TeacherCacheError)
    _, _, _, out = cached
    cache = TeacherCache(str(out))
    with pytest.raises(TeacherCacheError, match='holds 64 images.*size'):
        cache.check_sample(64, 'x.png', 0)
    path = cache.paths[5]
    with pytest.raises(TeacherCacheError,
                       match=r"sample 5 is .* label \d in the cache but "
                       r"'other\.png' with label \d here: another dataset"):
        cache.check_sample(5, 'other.png', int(cache.labels[5]))
    with pytest.raises(TeacherCacheError, match='another dataset, order or '
                       'classes'):
        cache.check_sample(5, osp.basename(path), int(cache.labels[5]) + 1)


def test_two_processes_share_the_shards(cached):
    import os
    import subprocess
    import sys
    from conftest import ROOT
    from mmkd_ext.datasets.transforms.replay import TeacherCache
    root, ckpt, config, out = cached
    ddp_out = root / 'cache_ddp'
    env = dict(os.environ, OMP_NUM_THREADS='1',
               PYTHONPATH=osp.join(ROOT, 'tools'))
    proc = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node',
         '2', '--master_port', '29519', osp.join(ROOT, 'tools',
                                                 'cache_teacher.py'),
         SMOKE, str(ckpt), str(ddp_out), '--crops-per-image', '2',
         '--data-config', config, '--shard-size', '20', '--launcher',
         'pytorch'], cwd=root, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    single, shared = TeacherCache(str(out)), TeacherCache(str(ddp_out))
    assert shared.meta['shards'] == single.meta['shards']
    for i in (0, 25, 63):
        torch.testing.assert_close(shared.log_probs(i, 1),
                                   single.log_probs(i, 1))
