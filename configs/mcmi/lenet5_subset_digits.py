# MCMI stage 2 on the digits, the student alone: the demo student (LeNet-5)
# on a subset of the training digits for about the demo's 920 optimizer
# steps. As written, all 1,437 images for 40 epochs;
# `train_dataloader.dataset.fraction=0.05` keeps the demo's stratified 5 %
# (few-shot, then 460 epochs), `train_dataloader.dataset.drop_classes=[3]`
# leaves the 3s out (zero-shot, then 44 epochs). Evaluation covers all 10
# classes and reports each class's accuracy (`single-label/recall_classwise`)
# and the CMI.
_base_ = ['../demo/lenet5_digits-5pct.py']

train_dataloader = dict(dataset=dict(fraction=1.0, drop_classes=[]))
val_evaluator = _base_.val_evaluator + [
    dict(type='SingleLabelMetric', items=['recall'], average=None),
    dict(type='mmkd_ext.ConditionalMutualInformation'),
]
test_evaluator = val_evaluator
param_scheduler = dict(T_max=40)
train_cfg = dict(max_epochs=40, val_interval=40)
default_hooks = dict(checkpoint=dict(interval=40))
