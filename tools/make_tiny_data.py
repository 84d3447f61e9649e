"""Write a tiny dataset in a real on-disk layout.

    python tools/make_tiny_data.py {imagenet,digits,coco,cityscapes} OUT_DIR
        [--seed 0] [--overwrite] [--num-train N] [--num-val N]

``imagenet``, ``coco`` and ``cityscapes`` are synthetic (class-dependent shapes
and colours, learnable in seconds); ``digits`` is scikit-learn's bundled
handwritten digits (real data) in the ImageNet layout, 32x32, with a fixed
stratified 1,437/360 split. A non-empty OUT_DIR is refused unless it already
holds the same dataset or --overwrite is given; nothing is ever deleted.
"""
import argparse
import sys

from tiny_data import OutputDirError, make_tiny_data


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('kind',
                        choices=['imagenet', 'digits', 'coco', 'cityscapes'])
    parser.add_argument('out_dir', help='dataset root to write')
    parser.add_argument('--seed', type=int, default=0,
                        help='random seed of the synthetic datasets')
    parser.add_argument('--num-train', type=int,
                        help='training images (per class for imagenet)')
    parser.add_argument('--num-val', type=int,
                        help='validation images (per class for imagenet)')
    parser.add_argument('--overwrite', action='store_true',
                        help='write into a non-empty folder (never deletes)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    kwargs = {} if args.kind == 'digits' else dict(seed=args.seed)
    for key in ('num_train', 'num_val'):
        if getattr(args, key) is not None:
            if args.kind == 'digits':
                sys.exit(f'error: --{key.replace("_", "-")} does not apply to '
                         f'digits (fixed split)')
            kwargs[key] = getattr(args, key)
    try:
        written = make_tiny_data(args.kind, args.out_dir,
                                 overwrite=args.overwrite, **kwargs)
    except OutputDirError as err:
        sys.exit(f'error: {err}')
    print(f'{args.kind}: {"written to" if written else "already in"} '
          f'{args.out_dir}')


if __name__ == '__main__':
    main()
