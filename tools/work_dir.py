"""Read what mmengine's Runner left in a work dir."""
import glob
import json
import os.path as osp


def last_checkpoint(work_dir):
    """Path of the checkpoint named in ``<work_dir>/last_checkpoint``."""
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        raise FileNotFoundError(f'{marker} does not exist: no checkpoint was '
                                f'saved in {work_dir!r}')
    with open(marker) as f:
        return f.read().strip()


def latest_test_metrics(work_dir):
    """Metrics of the latest ``tools/test.py`` run in ``work_dir``.

    mmengine's LoggerHook dumps them to ``<work_dir>/<timestamp>/<timestamp>.json``
    (one JSON dict) after the test loop.
    """
    runs = sorted(glob.glob(osp.join(work_dir, '*', '*.json')))
    for path in reversed(runs):
        if osp.basename(path)[:-5] == osp.basename(osp.dirname(path)):
            return _read_test_metrics(path)
    raise FileNotFoundError(f'no test metrics found in {work_dir!r}')


def finished_test_metrics(work_dir):
    """Metrics of the run in ``work_dir`` if its newest ``<timestamp>``
    folder is a finished ``tools/test.py`` run (no training started after
    it), else None."""
    runs = sorted(glob.glob(osp.join(work_dir, '2*', '')))
    if not runs:
        return None
    stamp = osp.basename(osp.dirname(runs[-1]))
    path = osp.join(runs[-1], f'{stamp}.json')
    return _read_test_metrics(path) if osp.isfile(path) else None


def _read_test_metrics(path):
    """The metrics dict of a ``<timestamp>.json`` the LoggerHook dumped."""
    with open(path) as f:
        return json.loads(f.read().strip().splitlines()[-1])


def _run_records(work_dir):
    """Every record of the latest run in ``work_dir``, from
    ``<timestamp>/vis_data/<timestamp>.json``."""
    runs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', '2*.json')))
    if not runs:
        raise FileNotFoundError(f'no training log found in {work_dir!r}')
    with open(runs[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def _is_training_record(record):
    return any(k == 'lr' or k.endswith('.lr') for k in record)


def train_log(work_dir):
    """The training-iteration records (list of dicts with ``lr`` (or
    ``<optimizer>.lr`` with several optimizers), ``loss``, ``iter``, ...) of
    the latest run in ``work_dir``; validation records left out."""
    return [r for r in _run_records(work_dir) if _is_training_record(r)]


def validation_log(work_dir):
    """The validation records (the metrics, ``step``, ...) of the latest run
    in ``work_dir``."""
    return [r for r in _run_records(work_dir) if not _is_training_record(r)]
