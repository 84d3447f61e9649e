"""Lets any tool read configs whose bases are ``mmkd_ext::<method>/<file>.py``.

mmengine resolves a base ``scope::path`` only for the packages of its table
``mmengine.config.utils.MODULE2PACKAGE``, and reads a config's bases before
the config's ``custom_imports`` run, so ``import mmkd_ext`` comes too late
for the stock ``tools/train.py`` of mmdet, mmseg or mmpretrain.
``mmkd_ext_scope.pth``, installed next to mmkd_ext, imports this module when
Python starts. It imports nothing beyond the standard library and costs
nothing until mmengine's config utilities are imported; then it adds
mmkd_ext to that table, as ``import mmkd_ext`` does
(``mmkd_ext.utils.config.register_config_scope`` calls :func:`register`).
"""
import importlib.abc
import importlib.util
import sys

WATCHED = 'mmengine.config.utils'


def register(config_utils):
    """Add mmkd_ext to the scopes of ``config_utils`` (the module
    ``mmengine.config.utils``); idempotent."""
    config_utils.MODULE2PACKAGE.setdefault('mmkd_ext', 'mmkd_ext')


class ConfigScopeFinder(importlib.abc.MetaPathFinder):
    """Finds no module itself. When ``mmengine.config.utils`` is imported,
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
    utilities are imported already (then nothing is left to do here)."""
    if WATCHED not in sys.modules and not any(
            isinstance(f, ConfigScopeFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, ConfigScopeFinder())


install()
