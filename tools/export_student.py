"""Export the student of a distiller (or self-distilled) checkpoint.

    python tools/export_student.py CHECKPOINT OUT [--config CONFIG]
        [--student-config STUDENT_CONFIG] [--overwrite]

OUT loads with the stock student config (``tools/test.py`` of mmdet, mmseg or
mmpretrain, or ours) and needs no mmkd_ext import. The teacher, the
distillation modules (align convs, attention, masks) and the student's
training-only modules (the USKD weak head, the PS-KD memory, the MCMI
centroids) are left out. The training config (``--config``, by default the
one saved in the checkpoint) tells which modules are training-only; the
result must load strictly into the student of that config, or into the
model of ``--student-config`` (the stock config you deploy with), else the
tool fails naming the keys at fault and writes nothing.
"""
import argparse
import sys

import mmkd_ext  # noqa: F401 (safe checkpoint loading)
from mmkd_ext.utils.checkpoint import UnsafeCheckpointError
from mmkd_ext.utils.config import ConfigError
from mmkd_ext.utils.export import export_student


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='distiller checkpoint')
    parser.add_argument('out', help='student checkpoint to write')
    parser.add_argument(
        '--config', help='the training config (default: the one saved in '
        'the checkpoint)')
    parser.add_argument(
        '--student-config', help='the stock config of the student: the '
        'result must load strictly into its model')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace OUT if it exists')
    args = parser.parse_args(argv)
    try:
        export_student(args.checkpoint, args.out, args.config,
                       args.student_config, args.overwrite)
    except (FileNotFoundError, FileExistsError, ConfigError,
            UnsafeCheckpointError) as err:
        sys.exit(f'error: {err}')
    print(f'student of {args.checkpoint} written to {args.out}')


if __name__ == '__main__':
    main()
