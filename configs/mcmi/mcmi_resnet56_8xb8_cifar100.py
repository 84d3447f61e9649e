# MCMI stage 1: fine-tune the converged CE resnet56 (load_from, stage 0)
# with CE - 0.25 * CMI: 20 epochs, batch 64, SGD 0.05 momentum 0.9, wd 5e-4,
# cosine; centroids from one eval-mode pass over the training set before the
# fine-tune, then fixed (methods.md 4.3). Keep the last checkpoint: the
# teacher's own accuracy is expected to drop slightly.
_base_ = ['./resnet56_8xb8_cifar100.py']

model = dict(
    head=dict(
        type='mmkd_ext.MCMIHead',
        loss=dict(_delete_=True, type='mmkd_ext.MCMILoss', lambda_cmi=0.25)))
custom_hooks = [dict(type='mmkd_ext.MCMICentroidHook', model_mode='eval')]
load_from = 'work_dirs/resnet56_8xb8_cifar100/epoch_240.pth'

param_scheduler = dict(
    _delete_=True, type='CosineAnnealingLR', T_max=20, by_epoch=True)
train_cfg = dict(max_epochs=20)
val_evaluator = [
    dict(type='Accuracy', topk=(1, 5)),
    dict(type='mmkd_ext.ConditionalMutualInformation')
]
test_evaluator = val_evaluator
