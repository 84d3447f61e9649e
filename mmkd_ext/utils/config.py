"""Config loading, as the tools and the distiller (teacher configs) do it.

Turns the usual failure modes of a config into messages that name the file
and the base at fault, and picks the default scope when a config does not
set one.

The OpenMMLab task libraries are extras of mmkd_ext (a detection user needs
no mmpretrain): ``pip install "mmkd_ext[det]"`` installs mmdet, ``[seg]``
mmsegmentation, ``[cls]`` mmpretrain, ``[all]`` the three. Whatever needs
one imports it through :func:`import_task_library`, so a missing one is an
error that names the extra.
"""
import importlib
import os.path as osp

from mmengine.config import Config


# the scope (and module) of each task library -> the extra that installs it
EXTRAS = {'mmdet': 'det', 'mmseg': 'seg', 'mmpretrain': 'cls'}


class ConfigError(ValueError):
    """A config cannot be used as given; the message names file and key."""


class MissingExtraError(ConfigError, ImportError):
    """A config needs a task library that is not installed."""


def import_task_library(scope, needed_by):
    """Import the task library ``scope`` (``'mmdet'``, ...) for
    ``needed_by`` (what the message names: a config, a distiller).

    Raises:
        MissingExtraError: it cannot be imported; the message names the
            extra of mmkd_ext that installs it.
    """
    try:
        return importlib.import_module(scope)
    except ImportError as err:
        extra = EXTRAS.get(scope)
        hint = f'pip install "mmkd_ext[{extra}]"' if extra else \
            f'install {scope}'
        raise MissingExtraError(
            f'{needed_by} needs {scope}, which cannot be imported ({err}): '
            f'{hint}') from err


def external_scopes(config_path):
    """Scopes of the ``scope::path`` bases that ``config_path`` inherits,
    directly or through local or ``mmkd_ext::`` bases, e.g. ``{'mmdet'}``.

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
            scope, _, name = base.rpartition('::')
            if scope == 'mmkd_ext':
                todo.append(package_config_path(name))
            elif scope:
                scopes.add(scope)
            else:
                todo.append(osp.abspath(osp.join(osp.dirname(path), base)))
    return scopes


def check_scopes_importable(config_path, scopes):
    for scope in sorted(scopes):
        import_task_library(
            scope, f'Config {config_path!r} (a {scope}:: base config)')


def package_dir():
    """The folder of the imported ``mmkd_ext`` package."""
    return osp.dirname(osp.dirname(osp.abspath(__file__)))


def package_config_path(name):
    """The file of ``mmkd_ext::<name>``: in the package's ``.mim/configs``
    (in a repository checkout, a link to its ``configs/``)."""
    return osp.join(package_dir(), '.mim', 'configs', name)


def register_config_scope():
    """Make ``mmkd_ext::<method>/<config>.py`` a base-config name, as
    ``mmdet::...`` is, read as a local base would be (see
    ``mmkd_ext_scope.register``). Called by ``import mmkd_ext``; for tools
    that read a config before they import mmkd_ext, the start-up hook of a
    (non-editable) install registers it. Idempotent.

    mmengine resolves ``scope::`` only for the packages of its table
    ``MODULE2PACKAGE`` (alias ``PKG2PROJECT``), in
    ``get_installed_path(package)/.mim/configs``. That function returns
    ``<distribution location>/<package>``, which for an editable install
    (``pip install -e``) is not where the package is; for mmkd_ext, the
    lookups of mmengine's config and hub modules get the imported package's
    folder instead.
    """
    import mmkd_ext_scope
    from mmengine.config import config
    from mmengine.hub import hub
    mmkd_ext_scope.register(config)
    for module in (config, hub):
        lookup = module.get_installed_path
        if getattr(lookup, 'mmkd_ext_aware', False):
            continue

        def get_installed_path(package, lookup=lookup):
            return package_dir() if package == 'mmkd_ext' else \
                lookup(package)

        get_installed_path.mmkd_ext_aware = True
        module.get_installed_path = get_installed_path


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
