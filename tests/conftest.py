import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def run_tool(script, *args, cwd=ROOT, env=None, check=True):
    """Run ``tools/<script>`` as a user does; return the CompletedProcess.

    With ``check``, a non-zero exit fails the test and shows the output tail.
    """
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', script), *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        pytest.fail(f'tools/{script} {" ".join(map(str, args))} exited '
                    f'{proc.returncode}:\n{(proc.stdout + proc.stderr)[-4000:]}')
    return proc


def config_path(*parts):
    return osp.join(ROOT, 'configs', *parts)
