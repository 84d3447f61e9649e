import subprocess
import sys

import pytest
from mmengine.registry import DefaultScope
from mmengine.registry import MODELS as ROOT_MODELS

from mmkd_ext import registry


def test_import_does_not_import_task_libraries():
    code = ("import mmkd_ext, sys; "
            "loaded = {'mmdet', 'mmseg', 'mmpretrain'} & set(sys.modules); "
            "assert not loaded, loaded")
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize('name', [
    'MODELS', 'TRANSFORMS', 'HOOKS', 'DATASETS', 'METRICS', 'OPTIM_WRAPPERS',
    'LOOPS', 'OPTIM_WRAPPER_CONSTRUCTORS'
])
def test_registries_are_scoped_children_of_mmengine_roots(name):
    reg = getattr(registry, name)
    assert reg.scope == 'mmkd_ext'
    assert reg.parent is not None and reg.parent.scope == 'mmengine'
    assert reg.parent.name == reg.name
    assert reg._locations, f'{name} has no import locations'


@pytest.mark.parametrize('scope', ['mmdet', 'mmseg', 'mmpretrain'])
def test_scoped_type_resolves_from_task_scope(scope):
    from mmkd_ext.models.losses import KDLoss
    task_models = __import__(f'{scope}.registry', fromlist=['MODELS']).MODELS
    with DefaultScope.overwrite_default_scope(scope):
        model = task_models.build(dict(type='mmkd_ext.KDLoss',
                                       temperature=5.0))
        # and through mmengine's root registry as the Runner does
        also = ROOT_MODELS.build(dict(type='mmkd_ext.KDLoss'))
    assert isinstance(model, KDLoss) and model.temperature == 5.0
    assert isinstance(also, KDLoss)
