"""The demo behind `make demo`: knowledge distillation on real handwritten
digits (scikit-learn's, 1,437 train / 360 val, 32x32, ImageNet layout).

Trains the teacher, the student alone and the student distilled from the
teacher with NKD, each with tools/train.py, evaluates each with
tools/test.py, and prints the top-1 accuracies. Logs and checkpoints are in
work_dirs/demo/<name>/.
"""
import os.path as osp

from experiment import make_digits, train_and_test

# (name, config, what it is), in order: the distilled student needs the
# teacher's checkpoint (work_dirs/demo/teacher/epoch_8.pth).
RUNS = [
    ('teacher', 'configs/demo/resnet18_digits.py',
     'ResNet-18, 64 base channels (11.2 M parameters)'),
    ('student', 'configs/demo/resnet18-w16_digits.py',
     'ResNet-18, 16 base channels (0.7 M), trained alone'),
    ('nkd', 'configs/demo/nkd_resnet18_resnet18-w16_digits.py',
     'the same student distilled from the teacher with NKD'),
]


def main():
    print('[demo] writing the digits dataset to data/digits', flush=True)
    make_digits()
    results = []
    for name, config, what in RUNS:
        print(f'[demo] {name}: training and testing {config}', flush=True)
        metrics, seconds = train_and_test(
            config, osp.join('work_dirs', 'demo', name))
        top1 = metrics['accuracy/top1']
        results.append((name, what, top1, seconds))
        print(f'[demo] {name}: top-1 {top1:.2f}% ({seconds:.0f} s)',
              flush=True)
    print('\n[demo] digits val (360 images), top-1 accuracy:')
    for name, what, top1, seconds in results:
        print(f'  {name:<8} {top1:6.2f}%  {what}  [{seconds:.0f} s]')


if __name__ == '__main__':
    main()
