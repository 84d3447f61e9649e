"""What an install of mmkd_ext gives a user: the task libraries are extras
whose absence is an error naming the extra, configs and tools sit in the
package's ``.mim`` where mmengine and mim look, and ``mmkd_ext::`` names
them as a base from any folder.

With ``MMKD_EXT_EXPECT_INSTALLED=1`` (set by .ci/run in the OpenMMLab
environment, where ``pip install .`` put mmkd_ext into site-packages) the
imported package must be that copy, not this checkout's."""
import os
import os.path as osp
import subprocess
import sys
import sysconfig

import pytest
from mmengine.config import Config

import mmkd_ext
from conftest import ROOT
from mmkd_ext.utils.config import package_config_path

MISSING = "import sys; sys.modules['{library}'] = None\n"


def run_python(code):
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, cwd=ROOT)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.skipif(os.environ.get('MMKD_EXT_EXPECT_INSTALLED') != '1',
                    reason='only where .ci/run installed mmkd_ext with pip')
def test_the_installed_copy_is_tested():
    package = osp.dirname(osp.realpath(mmkd_ext.__file__))
    assert package != osp.join(ROOT, 'mmkd_ext'), package
    site_packages = osp.realpath(sysconfig.get_paths()['purelib'])
    assert osp.dirname(package) == site_packages, package
    # configs are files in the package, not links into a checkout
    config = package_config_path('demo/lenet5_digits-5pct.py')
    assert osp.isfile(config) and not osp.islink(osp.dirname(
        osp.dirname(config)))


@pytest.mark.parametrize('library, extra, config', [
    ('mmdet', 'det', 'feature_kd/fpn-mse_retinanet_r18_r18-w16_fpn_tiny-coco'),
    ('mmseg', 'seg', 'acamkd/deeplabv3_r18-d8_tiny-cityscapes'),
    ('mmpretrain', 'cls', 'demo/lenet5_digits-5pct'),
])
def test_a_config_that_needs_a_missing_library_names_the_extra(
        library, extra, config):
    code = MISSING.format(library=library) + (
        'from mmkd_ext.utils.config import load_config, package_config_path\n'
        f"load_config(package_config_path('{config}.py'))\n")
    returncode, out = run_python(code)
    assert returncode != 0
    assert f'needs {library}, which cannot be imported' in out
    assert f'pip install "mmkd_ext[{extra}]"' in out


def test_a_distiller_without_its_library_names_the_extra():
    code = MISSING.format(library='mmdet') + (
        'from mmkd_ext.models.distillers import DetectionDistiller\n'
        "DetectionDistiller(student=dict(type='RetinaNet'), teacher=dict("
        "type='RetinaNet'), distill_losses=dict())\n")
    returncode, out = run_python(code)
    assert returncode != 0
    assert "model.type='DetectionDistiller' needs mmdet" in out
    assert 'pip install "mmkd_ext[det]"' in out


def test_mmkd_ext_base_from_a_folder_outside(tmp_path):
    (tmp_path / 'mine.py').write_text(
        "_base_ = ['mmkd_ext::feature_kd/"
        "fpn-mse_retinanet_r18_r18-w16_fpn_tiny-coco.py']\n"
        'model = dict(teacher_ckpt="teacher.pth")\n')
    cfg = Config.fromfile(str(tmp_path / 'mine.py'))
    assert cfg.model.type == 'mmkd_ext.DetectionDistiller'
    assert cfg.model.teacher_ckpt == 'teacher.pth'
    assert cfg.default_scope == 'mmdet'
    # the teacher config named relative to the base resolved inside the
    # package
    assert osp.isfile(cfg.model.teacher)
