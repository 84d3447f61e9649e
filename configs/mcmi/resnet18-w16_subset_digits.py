# The demo student (ResNet-18, width 16) on a subset of the digits training
# set: `train_dataloader.dataset.fraction=0.05` keeps a stratified 5 % (the
# few-shot setting), `train_dataloader.dataset.drop_classes=[3]` leaves the
# 3s out (zero-shot). Evaluation covers all 10 classes and reports each
# class's accuracy (`single-label/recall_classwise`) and the CMI.
_base_ = ['../demo/resnet18-w16_digits.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmkd_ext.LabelSubsetDataset',
        fraction=1.0,
        drop_classes=[],
        seed=0,
        dataset=_base_.train_dataloader.dataset))
val_evaluator = _base_.val_evaluator + [
    dict(type='SingleLabelMetric', items=['recall'], average=None),
]
test_evaluator = val_evaluator
