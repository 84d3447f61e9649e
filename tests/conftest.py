import functools
import http.server
import json
import os
import os.path as osp
import subprocess
import sys
import threading

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# the tools' helpers (dataset writers, work-dir readers) live next to them
sys.path.insert(0, osp.join(ROOT, 'tools'))


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


def run_two_process_train(config, work_dir, cwd):
    """Train ``config`` with 2 gloo processes through tools/train.py
    --launcher pytorch, with tests/helpers/probes.RankProbeHook added;
    return the two ranks' records."""
    with open(config, 'a') as f:
        f.write("\ncustom_imports = dict(imports=['mmkd_ext', 'probes'])\n"
                "custom_hooks = custom_hooks + [dict(type='RankProbeHook')]\n"
                "env_cfg = dict(dist_cfg=dict(backend='gloo'))\n")
    env = dict(os.environ, OMP_NUM_THREADS='1',
               PYTHONPATH=osp.join(ROOT, 'tests', 'helpers') + os.pathsep +
               ROOT)
    proc = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node',
         '2', '--master_port', '29517', osp.join(ROOT, 'tools', 'train.py'),
         str(config), '--work-dir', str(work_dir), '--launcher', 'pytorch'],
        cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return [json.loads((work_dir / f'rank{r}.json').read_text())
            for r in (0, 1)]


def train_until_epoch(config, work_dir, cwd, epoch, custom_hooks):
    """Train ``config`` through tools/train.py as a run interrupted after
    ``epoch`` epochs (max_epochs, hence the schedules, unchanged):
    ``custom_hooks`` (the config's own, as source text of a list) plus
    tests/helpers/probes.StopAfterEpochHook."""
    interrupted = osp.join(osp.dirname(str(config)), 'interrupted.py')
    with open(interrupted, 'w') as f:
        f.write(f"_base_ = [{str(config)!r}]\n"
                "custom_imports = dict(imports=['mmkd_ext', 'probes'])\n"
                f"custom_hooks = {custom_hooks} + "
                f"[dict(type='StopAfterEpochHook', epoch={epoch})]\n")
    env = dict(os.environ, PYTHONPATH=osp.join(ROOT, 'tests', 'helpers'))
    return run_tool('train.py', interrupted, '--work-dir', work_dir, cwd=cwd,
                    env=env)


class WritesMarker:
    """Unpickling it would write the marker file (the payload)."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return exec, (f'open({self.path!r}, "w").write("pwned")', )


class QuietHandler(http.server.SimpleHTTPRequestHandler):

    def log_message(self, *args):
        pass


@pytest.fixture
def served(tmp_path, monkeypatch):
    """(folder, base URL): files in the folder are served on 127.0.0.1;
    the torch hub cache is a fresh folder."""
    folder = tmp_path / 'served'
    folder.mkdir()
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(QuietHandler,
                                            directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f'http://127.0.0.1:{server.server_port}'
    server.shutdown()
    server.server_close()
    thread.join()


def write_malicious(folder, tmp_path, name='bad.pth'):
    marker = tmp_path / 'payload_ran'
    torch.save(dict(state_dict={}, meta=dict(x=WritesMarker(marker))),
               folder / name)
    return marker
