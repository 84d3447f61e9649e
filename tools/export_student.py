"""Export the student of a distiller (or self-distilled) checkpoint.

    python tools/export_student.py CHECKPOINT OUT [--overwrite]

OUT loads with the stock student config (``tools/test.py`` of mmdet, mmseg or
mmpretrain, or ours) and needs no mmkd_ext import. The teacher and the
distillation modules (align convs, attention, masks, the USKD weak head) are
left out.
"""
import argparse
import sys

import mmkd_ext  # noqa: F401 (safe checkpoint loading)
from mmkd_ext.utils.checkpoint import UnsafeCheckpointError
from mmkd_ext.utils.export import export_student


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='distiller checkpoint')
    parser.add_argument('out', help='student checkpoint to write')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace OUT if it exists')
    args = parser.parse_args(argv)
    try:
        export_student(args.checkpoint, args.out, args.overwrite)
    except (FileNotFoundError, FileExistsError, ValueError,
            UnsafeCheckpointError) as err:
        sys.exit(f'error: {err}')
    print(f'student of {args.checkpoint} written to {args.out}')


if __name__ == '__main__':
    main()
