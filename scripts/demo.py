"""The demo behind `make demo`: knowledge distillation on real handwritten
digits (scikit-learn's, 1,437 train / 360 val, 32x32, ImageNet layout).

With tools/train.py and tools/test.py: trains a well-trained teacher
(ResNet-18, all the training digits), then the small student (LeNet-5 on
5 % of the training digits) alone, with KD and with NKD from the teacher,
evaluates each on the 360 validation digits, prints the table and each
distilled student's gain over the student alone, and writes the top-1
accuracies to work_dirs/demo/summary.json. Logs and checkpoints are in
work_dirs/demo/<name>/. Every run has a fixed seed (0).
"""
import json
import os.path as osp

from experiment import ROOT, make_digits, train_and_test

# (name, config, what it is), in order: the distilled students need the
# teacher's checkpoint (work_dirs/demo/teacher/epoch_30.pth).
RUNS = [
    ('teacher', 'configs/demo/resnet18-w32_gray_digits.py',
     'ResNet-18 (2.8 M parameters), all 1,437 training digits'),
    ('student', 'configs/demo/lenet5_digits-5pct.py',
     'LeNet-5 (61 k), 5 % of the training digits (70), alone'),
    ('kd', 'configs/demo/kd_resnet18-w32_lenet5_digits-5pct.py',
     'the same student distilled with KD (tau 4)'),
    ('nkd', 'configs/demo/nkd_resnet18-w32_lenet5_digits-5pct.py',
     'the same student distilled with NKD (tau 1, gamma 1.5)'),
]


def main():
    print('[demo] writing the digits dataset to data/digits', flush=True)
    make_digits()
    results = {}
    lines = []
    for name, config, what in RUNS:
        print(f'[demo] {name}: training and testing {config}', flush=True)
        metrics, seconds = train_and_test(
            config, osp.join('work_dirs', 'demo', name),
            ['randomness.seed=0'])
        results[name] = round(metrics['accuracy/top1'], 2)
        lines.append((name, what, seconds))
        print(f'[demo] {name}: top-1 {results[name]:.2f}% ({seconds:.0f} s)',
              flush=True)
    print('\n[demo] digits val (360 images), top-1 accuracy:')
    for name, what, seconds in lines:
        gain = '' if name in ('teacher', 'student') else \
            f'  ({results[name] - results["student"]:+.2f} over the ' \
            f'student alone)'
        print(f'  {name:<8} {results[name]:6.2f}%{gain}  {what}  '
              f'[{seconds:.0f} s]')
    with open(osp.join(ROOT, 'work_dirs', 'demo', 'summary.json'), 'w') as f:
        json.dump(results, f, indent=1)
    print('[demo] written to work_dirs/demo/summary.json')


if __name__ == '__main__':
    main()
