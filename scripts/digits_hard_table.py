"""The digits table of configs/hard/README.md (HARD's toy experiment).

Trains the shift-equivariant CNN teacher once (seed 0) on centred 20x20
digits, then for each seed an MLP student alone, with plain KD, with KD on
randomly translated digits (hand-designed augmentation) and with HARD's
learned translation augmentor, plain and mirrored (same seed, same
teacher). Every model is tested on the 360 validation digits translated
by up to +-3 px (the table) and on the same digits centred; prints
markdown tables of mean +- std top-1.

    .venv/bin/python scripts/digits_hard_table.py [--seeds 3]
"""
import argparse
import os.path as osp

from experiment import (ROOT, last_checkpoint, latest_test_metrics,
                        make_digits, markdown_table, run_tool, run_work_dir,
                        seeds_table, train_and_test)

TEACHER = 'configs/hard/cnn_digits20.py'
# the test digits centred: translation std and max_shift set to 0
CENTRED = ['test_dataloader.dataset.pipeline.3.std=0.0',
           'test_dataloader.dataset.pipeline.3.max_shift=0']


def test_centred(config, work_dir):
    """Top-1 of ``work_dir``'s last checkpoint on the centred test digits."""
    out = osp.join(work_dir, 'centred')
    ckpt = last_checkpoint(osp.join(ROOT, work_dir))
    run_tool(['tools/test.py', config, ckpt, '--work-dir', out,
              '--cfg-options', *CENTRED], osp.join(ROOT, out, 'run.log'))
    return latest_test_metrics(osp.join(ROOT, out))['accuracy/top1']


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    args = parser.parse_args()
    make_digits()
    teacher_dir = osp.join('work_dirs', 'digits', 'hard_teacher')
    metrics, _ = train_and_test(TEACHER, teacher_dir, ['randomness.seed=0'])
    teacher_top1 = (metrics['accuracy/top1'],
                    test_centred(TEACHER, teacher_dir))
    print('teacher (seed 0): translated {:.2f}, centred {:.2f}'.format(
        *teacher_top1), flush=True)
    teacher = [f'model.teacher_ckpt='
               f'{last_checkpoint(osp.join(ROOT, teacher_dir))}']
    runs = [
        ('MLP alone', 'configs/hard/mlp_digits20.py', []),
        ('KD (tau 4)', 'configs/hard/kd_cnn_mlp_digits20.py', teacher),
        ('KD + random translations',
         'configs/hard/kd-shift_cnn_mlp_digits20.py', teacher),
        ('HARD, learned translations',
         'configs/hard/hard-shift_cnn_mlp_digits20.py', teacher),
        ('HARD, learned translations, mirrored',
         'configs/hard/hard-symshift_cnn_mlp_digits20.py', teacher),
    ]
    rows = seeds_table(runs, args.seeds)
    # the same checkpoints on centred digits (seeds_table's work dirs)
    centred_rows = [
        (name, {'accuracy/top1': [
            test_centred(config, run_work_dir(name, seed))
            for seed in range(args.seeds)]}, minutes)
        for (name, config, _), (_, _, minutes) in zip(runs, rows)]
    print('\nteacher CNN (seed 0): translated test {:.2f}, centred test '
          '{:.2f}'.format(*teacher_top1))
    print('\ntranslated test digits')
    print(markdown_table(rows, ('accuracy/top1', ), args.seeds))
    print('\ncentred test digits (same checkpoints)')
    print(markdown_table(centred_rows, ('accuracy/top1', ), args.seeds))


if __name__ == '__main__':
    main()
