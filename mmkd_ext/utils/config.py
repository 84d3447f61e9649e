"""Config loading, as the tools and the distiller (teacher configs) do it.

Turns the usual failure modes of a config into messages that name the file
and the base at fault, and picks the default scope when a config does not
set one.
"""
import importlib
import os.path as osp

from mmengine.config import Config


class ConfigError(ValueError):
    """A config cannot be used as given; the message names file and key."""


def external_scopes(config_path):
    """Scopes of the ``scope::path`` bases that ``config_path`` inherits,
    directly or through local bases, e.g. ``{'mmdet'}``.

    Raises:
        FileNotFoundError: ``config_path`` or one of its local bases does
            not exist.
    """
    scopes, todo, seen = set(), [osp.abspath(config_path)], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if not osp.isfile(path):
            parent = '' if path == osp.abspath(config_path) else \
                ' (a _base_ of another config)'
            raise FileNotFoundError(f'Config file {path!r}{parent} does not '
                                    f'exist')
        for base in Config._get_base_files(path):
            if '::' in base:
                scopes.add(base.partition('::')[0])
            else:
                todo.append(osp.abspath(osp.join(osp.dirname(path), base)))
    return scopes


def check_scopes_importable(config_path, scopes):
    for scope in sorted(scopes):
        try:
            importlib.import_module(scope)
        except ImportError as err:
            raise ConfigError(
                f'Config {config_path!r} inherits a {scope}:: base config, but '
                f'{scope!r} cannot be imported ({err}). Install it (see '
                f'pyproject.toml for the supported versions) or remove the '
                f'{scope}:: base.') from err


def load_config(config_path, cfg_options=None):
    """Load a config as the tools do.

    ``config_path`` is a file or a library's config (``mmdet::...``).
    Checks that the file exists and that every ``scope::`` base can be
    imported, merges ``cfg_options`` and sets ``default_scope`` from the
    ``scope::`` base when the config has none and it is unambiguous.
    """
    if '::' in config_path:  # a library's own config, e.g. mmdet::...
        scopes = {config_path.partition('::')[0]}
        check_scopes_importable(config_path, scopes)
        from mmengine.hub import get_config
        cfg = get_config(config_path)
    else:
        scopes = external_scopes(config_path)
        check_scopes_importable(config_path, scopes)
        cfg = Config.fromfile(config_path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if cfg.get('default_scope') is None and len(scopes) == 1:
        cfg.default_scope = next(iter(scopes))
    return cfg
