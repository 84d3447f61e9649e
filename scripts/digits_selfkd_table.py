"""The digits tables of configs/uskd/README.md and configs/pskd/README.md.

For each seed: the demo student alone, with USKD, and with PS-KD in each
memory mode (fp32, fp16, top-3), each trained with tools/train.py and tested
with tools/test.py on the 360 validation digits; prints top-1 and expected
calibration error (15 bins) as a markdown table.

    .venv/bin/python scripts/digits_selfkd_table.py [--seeds 3]
"""
import argparse

from experiment import make_digits, markdown_table, seeds_table

STUDENT = 'configs/demo/resnet18-w16_digits.py'
PSKD = 'configs/demo/pskd_resnet18-w16_digits.py'
RUNS = [
    ('student alone', STUDENT, []),
    ('USKD', 'configs/demo/uskd_resnet18-w16_digits.py', []),
    ('PS-KD, fp32 memory', PSKD, ['model.head.memory.mode=fp32']),
    ('PS-KD, fp16 memory', PSKD, ['model.head.memory.mode=fp16']),
    ('PS-KD, top-3 memory', PSKD,
     ['model.head.memory.mode=topk', 'model.head.memory.topk=3']),
]
METRICS = ('accuracy/top1', 'calibration/ece')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, default=3)
    args = parser.parse_args()
    make_digits()
    rows = seeds_table(RUNS, args.seeds, METRICS)
    print()
    print(markdown_table(rows, METRICS, args.seeds))


if __name__ == '__main__':
    main()
