"""The OpenMMLab model index: model-index.yml and configs/*/metafile.yml.

mmengine reads ``mmkd_ext/.mim/model-index.yml`` (a link to the repository's
``model-index.yml``) whenever it resolves an ``mmkd_ext::`` config, and
``mmengine.hub.get_config`` finds a config through the metafiles' ``Config``
entries; these tests keep the index in step with ``configs/``.
"""
import collections
import glob
import numbers
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.config.utils import _get_cfg_metainfo
from mmengine.fileio import load

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PACKAGE = osp.join(ROOT, 'mmkd_ext')

CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                       recursive=True)
    if '_base_' not in osp.relpath(p, ROOT).split(osp.sep))
# the folders that hold configs, e.g. 'acamkd'
FOLDERS = sorted({c.split(osp.sep)[1] for c in CONFIGS})


def metafile_paths():
    return load(osp.join(ROOT, 'model-index.yml'))['Import']


def metafiles():
    """{metafile path: parsed metafile} of every metafile imported."""
    return {path: load(osp.join(ROOT, path)) for path in metafile_paths()}


def all_models():
    """(metafile path, model entry) of every model of every metafile."""
    return [(path, model) for path, meta in metafiles().items()
            for model in meta['Models']]


def test_configs_found():
    assert len(CONFIGS) >= 10 and len(FOLDERS) >= 5


def test_package_links_to_the_model_index():
    index = osp.join(PACKAGE, '.mim', 'model-index.yml')
    assert osp.isfile(index), f'{index} is missing (a link to model-index.yml)'
    assert load(index) == load(osp.join(ROOT, 'model-index.yml'))


def test_every_config_folder_has_its_metafile_imported():
    paths = metafile_paths()
    assert len(paths) == len(set(paths)), 'a metafile is imported twice'
    expected = {f'configs/{folder}/metafile.yml' for folder in FOLDERS}
    assert set(paths) == expected


@pytest.mark.parametrize('path', metafile_paths())
def test_metafile_exists_and_parses(path):
    assert osp.isfile(osp.join(ROOT, path)), path
    meta = load(osp.join(ROOT, path))
    assert isinstance(meta, dict)
    assert meta.get('Collections'), f'{path}: no Collections'
    assert meta.get('Models'), f'{path}: no Models'


def test_every_config_appears_exactly_once():
    listed = collections.Counter(
        model['Config'] for _, model in all_models())
    twice = sorted(c for c, n in listed.items() if n > 1)
    assert not twice, f'configs listed more than once: {twice}'
    on_disk = {c.replace(osp.sep, '/') for c in CONFIGS}
    missing = sorted(on_disk - set(listed))
    assert not missing, f'configs in no metafile: {missing}'
    unknown = sorted(set(listed) - on_disk)
    assert not unknown, f'Config entries with no config file: {unknown}'


@pytest.mark.parametrize('path', metafile_paths())
def test_model_entries(path):
    """Name = the config's stem, the config in the metafile's folder, its
    file present, and every In Collection a collection of the same file."""
    meta = load(osp.join(ROOT, path))
    folder = osp.dirname(path)
    names = [c['Name'] for c in meta['Collections']]
    assert len(names) == len(set(names)), f'{path}: duplicate collections'
    used = set()
    for model in meta['Models']:
        config = model['Config']
        assert osp.isfile(osp.join(ROOT, config)), config
        assert osp.dirname(config) == folder, config
        assert model['Name'] == osp.splitext(osp.basename(config))[0]
        assert model['In Collection'] in names, (
            f"{model['Name']}: In Collection {model['In Collection']!r} is "
            f'not one of {names}')
        used.add(model['In Collection'])
    assert set(names) == used, f'{path}: collections without models'


@pytest.mark.parametrize('path', metafile_paths())
def test_referenced_files_exist(path):
    """README of every collection and model, and the Code of every
    collection, are files of the repository."""
    meta = load(osp.join(ROOT, path))
    for entry in meta['Collections'] + meta['Models']:
        assert osp.isfile(osp.join(ROOT, entry['README'])), entry['README']
    for collection in meta['Collections']:
        if 'Code' in collection:
            code = collection['Code']['URL']
            assert osp.isfile(osp.join(ROOT, code)), code
        if 'Paper' in collection:
            assert collection['Paper']['URL'].startswith('https://')
            assert collection['Paper']['Title']


@pytest.mark.parametrize('path', metafile_paths())
def test_results_are_well_formed(path):
    """Results (ours) and Paper Results: Task, Dataset and numeric Metrics;
    a std comes with its mean and with at least 2 seeds."""
    for model in load(osp.join(ROOT, path))['Models']:
        assert model.get('Metadata', {}).get('Training Data'), model['Name']
        for key in ('Results', 'Paper Results'):
            for result in model.get(key, []):
                assert result['Task'] and result['Dataset'], model['Name']
                metrics = result['Metrics']
                assert metrics, model['Name']
                for name, value in metrics.items():
                    assert isinstance(value, numbers.Number), (
                        f"{model['Name']}: {name} = {value!r}")
                    if name.endswith(' std'):
                        assert name[:-len(' std')] in metrics, name
                        assert metrics.get('Seeds', 0) >= 2, (
                            f"{model['Name']}: {name} without Seeds >= 2")
                if key == 'Results':
                    assert metrics.get('Seeds', 0) >= 1, (
                        f"{model['Name']}: our result without Seeds")


@pytest.mark.parametrize('folder', FOLDERS)
def test_mmengine_finds_the_entry(folder):
    """mmengine's own reader, as mmengine.hub.get_config calls it: keyed by
    Config without its first component ('configs/')."""
    config = next(c for c in CONFIGS if c.split(osp.sep)[1] == folder)
    name = config.replace(osp.sep, '/').partition('/')[2]
    entry = _get_cfg_metainfo(PACKAGE, name)
    assert entry['Config'] == config.replace(osp.sep, '/')
    assert osp.isfile(osp.join(PACKAGE, '.mim', entry['Config']))


def test_hub_get_config_finds_a_config():
    import mmkd_ext  # noqa: F401  (registers the mmkd_ext:: scope)
    from mmengine.hub import get_config
    cfg = get_config('mmkd_ext::demo/lenet5_digits-5pct.py')
    expected = Config.fromfile(
        osp.join(ROOT, 'configs', 'demo', 'lenet5_digits-5pct.py'))
    assert cfg.model.backbone.type == expected.model.backbone.type == 'LeNet5'


def test_config_with_an_mmkd_ext_base_loads(tmp_path):
    import mmkd_ext  # noqa: F401  (registers the mmkd_ext:: scope)
    config = tmp_path / 'my_config.py'
    config.write_text("_base_ = ['mmkd_ext::demo/lenet5_digits-5pct.py']\n")
    cfg = Config.fromfile(str(config))
    base = Config.fromfile(
        osp.join(ROOT, 'configs', 'demo', 'lenet5_digits-5pct.py'))
    assert cfg.model.type == base.model.type
    assert cfg.model.backbone.type == base.model.backbone.type
