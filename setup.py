"""Packaging that pyproject.toml cannot express: the startup hook
``mmkd_ext_scope.pth`` (see ``mmkd_ext_scope.py``) is installed next to the
packages in site-packages, where Python reads ``.pth`` files at start-up."""
import os.path as osp

from setuptools import setup
from setuptools.command.build_py import build_py

STARTUP_HOOK = 'mmkd_ext_scope.pth'


class BuildPyWithStartupHook(build_py):
    """``build_py`` that also puts the startup hook into the build."""

    def run(self):
        super().run()
        self.copy_file(STARTUP_HOOK, osp.join(self.build_lib, STARTUP_HOOK))

    def get_outputs(self, include_bytecode=True):
        return super().get_outputs(include_bytecode) + [
            osp.join(self.build_lib, STARTUP_HOOK)]


setup(cmdclass={'build_py': BuildPyWithStartupHook})
