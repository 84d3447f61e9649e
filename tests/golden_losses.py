"""Golden first-step losses of every demo, smoke, tiny and digits config.

For each config: the model is built as the runner builds it
(``tools/synthetic_batch.py``: the config's ``default_scope``, its
``data_preprocessor``; a distiller's ``teacher_ckpt`` is dropped, so its
teacher keeps the seeded random initialisation), seeded, initialised, given
its optimizer from ``optim_wrapper``, and runs ``train_step`` on one fixed
generated batch. The
step's logged values (``loss``, ``loss_<name>`` and logged parts) are kept in
``tests/data/golden_losses.json``; ``tests/test_golden_losses.py`` checks
them at ``RTOL`` / ``ATOL``. A change of any loss's maths, of a default, or
of which tensors reach a loss moves at least one value.

Regenerate (only after a deliberate change, listed in the commit message)::

    .venv/bin/python tests/golden_losses.py --update
"""
import argparse
import glob
import json
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools'))
from synthetic_batch import (SEED, build_for_training, fixed_batch,  # noqa
                             num_classes)

GOLDEN = osp.join(ROOT, 'tests', 'data', 'golden_losses.json')
# Across CPUs (other SIMD paths) the first step agrees to ~1e-6 relative.
RTOL, ATOL = 1e-4, 1e-6


def golden_configs():
    """Repository-relative paths of the configs that train on data we
    generate: the demo, smoke and tiny configs and the digits configs."""
    paths = glob.glob(osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    return sorted(
        osp.relpath(p, ROOT) for p in paths if '_base_' not in p and (
            '/demo/' in p or '/smoke/' in p or 'tiny-' in osp.basename(p)
            or 'digits' in osp.basename(p)))


def first_step_losses(config):
    """``{name: value}`` logged by the first ``train_step`` of ``config``."""
    from mmengine.registry import DefaultScope
    from mmengine.runner import set_random_seed
    from mmkd_ext.utils.config import load_config
    scope = load_config(osp.join(ROOT, config)).default_scope
    with DefaultScope.overwrite_default_scope(scope):
        cfg, model, optim_wrapper = build_for_training(config, ROOT)
        data = fixed_batch(config, cfg, num_classes(model))
        model.train()
        set_random_seed(SEED)  # batch augments (mixup) draw from numpy
        log_vars = model.train_step(data, optim_wrapper)
    return {k: float(v) for k, v in sorted(log_vars.items())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--update', action='store_true',
                        help=f'write {osp.relpath(GOLDEN, ROOT)}')
    parser.add_argument('configs', nargs='*',
                        help='only these configs (default: all)')
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)
    import mmkd_ext  # noqa: F401
    from mmengine.logging import MMLogger
    MMLogger.get_instance('golden_losses', log_level='WARNING')
    golden = {}
    if args.configs and osp.isfile(GOLDEN):  # update some, keep the rest
        with open(GOLDEN) as f:
            current = set(golden_configs())
            golden = {k: v for k, v in json.load(f).items() if k in current}
    for config in args.configs or golden_configs():
        golden[config] = first_step_losses(config)
        print(config, golden[config], flush=True)
    if args.update:
        with open(GOLDEN, 'w') as f:
            json.dump(golden, f, indent=1, sort_keys=True)
            f.write('\n')
        print(f'wrote {GOLDEN}')


if __name__ == '__main__':
    main()
