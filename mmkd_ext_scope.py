"""Lets any tool read configs whose bases are ``mmkd_ext::<method>/<file>.py``.

mmengine resolves a base ``scope::path`` only for the packages of its table
``mmengine.config.utils.MODULE2PACKAGE``, and reads a config's bases before
the config's ``custom_imports`` run, so ``import mmkd_ext`` comes too late
for the stock ``tools/train.py`` of mmdet, mmseg or mmpretrain.
``mmkd_ext_scope.pth``, installed next to mmkd_ext, imports this module when
Python starts. It imports nothing beyond the standard library and costs
nothing until mmengine's config module is imported; then it calls
:func:`register`, as ``import mmkd_ext`` does
(``mmkd_ext.utils.config.register_config_scope``).
"""
import importlib.abc
import importlib.util
import sys

WATCHED = 'mmengine.config.config'


def register(config_module):
    """Make ``mmkd_ext::`` a base-config scope of ``config_module`` (the
    module ``mmengine.config.config``); idempotent.

    1. mmkd_ext joins ``MODULE2PACKAGE``, so mmengine looks for
       ``mmkd_ext::<path>`` in ``mmkd_ext/.mim/configs/<path>``.
    2. An ``mmkd_ext::`` base is read as a local base would be. mmengine
       gives every typed dict of a ``scope::`` base ``_scope_=scope``; our
       configs keep their task library's default scope and name our own
       components ``mmkd_ext.<Name>``, so their other types (``Accuracy``,
       ``PackDetInputs``, a teacher's ``ImageClassifier``) must be looked up
       in the config's default scope, as they are when the file is local.
    """
    from mmengine.config import utils
    utils.MODULE2PACKAGE.setdefault('mmkd_ext', 'mmkd_ext')
    config_class = config_module.Config
    to_config_dict = config_class.__dict__['_dict_to_config_dict'].__func__
    if getattr(to_config_dict, 'mmkd_ext_local', False):
        return

    def dict_to_config_dict(cfg, scope=None, has_scope=True):
        return to_config_dict(cfg, None if scope == 'mmkd_ext' else scope,
                              has_scope)

    dict_to_config_dict.mmkd_ext_local = True
    config_class._dict_to_config_dict = staticmethod(dict_to_config_dict)


class ConfigScopeFinder(importlib.abc.MetaPathFinder):
    """Finds no module itself. When ``mmengine.config.config`` is imported,
    it takes the spec the other finders give and has the module
    :func:`register` mmkd_ext right after it runs; then it steps aside."""

    def find_spec(self, name, path=None, target=None):
        if name != WATCHED:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_register(module):
            exec_module(module)
            register(module)

        spec.loader.exec_module = exec_and_register
        return spec


def install():
    """Put the finder first on ``sys.meta_path``, unless mmengine's config
    module is imported already (then ``import mmkd_ext`` registers)."""
    if WATCHED not in sys.modules and not any(
            isinstance(f, ConfigScopeFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, ConfigScopeFinder())


install()
