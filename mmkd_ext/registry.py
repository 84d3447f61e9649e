"""Registries of mmkd_ext.

Every registry has scope ``mmkd_ext`` and the matching mmengine root registry as
parent, so a config whose ``default_scope`` is ``mmdet``, ``mmseg`` or
``mmpretrain`` can name our components as ``type='mmkd_ext.<Name>'``. The
``locations`` let mmengine import the module that registers a name only when
the name is first looked up, so ``import mmkd_ext`` stays light and never
imports a task library.
"""
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

SCOPE = 'mmkd_ext'


def _child(name, parent, *locations):
    return Registry(
        name, parent=parent, scope=SCOPE, locations=list(locations))


MODELS = _child('model', MMENGINE_MODELS, 'mmkd_ext.models')
TRANSFORMS = _child('transform', MMENGINE_TRANSFORMS,
                    'mmkd_ext.datasets.transforms')
DATASETS = _child('dataset', MMENGINE_DATASETS, 'mmkd_ext.datasets')
METRICS = _child('metric', MMENGINE_METRICS, 'mmkd_ext.evaluation')
HOOKS = _child('hook', MMENGINE_HOOKS, 'mmkd_ext.engine.hooks')
LOOPS = _child('loop', MMENGINE_LOOPS, 'mmkd_ext.engine')
OPTIM_WRAPPERS = _child('optim_wrapper', MMENGINE_OPTIM_WRAPPERS,
                        'mmkd_ext.engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor',
                                    MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
                                    'mmkd_ext.engine')
