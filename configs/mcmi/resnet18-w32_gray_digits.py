# MCMI stage 0 on the digits: the demo teacher
# (configs/demo/resnet18-w32_gray_digits.py, CE, 30 epochs), evaluated with
# its conditional mutual information too.
_base_ = ['../demo/resnet18-w32_gray_digits.py']

val_evaluator = _base_.val_evaluator + [
    dict(type='mmkd_ext.ConditionalMutualInformation'),
]
test_evaluator = val_evaluator
