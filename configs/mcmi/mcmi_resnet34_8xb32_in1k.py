# MCMI stage 1 on ImageNet: fine-tune the stock CE ResNet-34 (mmpretrain
# model zoo checkpoint, stage 0) with CE - 0.25 * CMI for 20 epochs, SGD
# momentum 0.9, wd 5e-4, cosine from lr 0.05 (the CIFAR recipe of
# methods.md 4.3; the ImageNet lr is not published), centroids from one
# eval-mode pass over the training set.
_base_ = ['mmpretrain::resnet/resnet34_8xb32_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    head=dict(
        type='mmkd_ext.MCMIHead',
        loss=dict(_delete_=True, type='mmkd_ext.MCMILoss', lambda_cmi=0.25)))
custom_hooks = [dict(type='mmkd_ext.MCMICentroidHook', model_mode='eval')]
# mmpretrain model zoo (configs/resnet/metafile.yml): 73.62 top-1
load_from = ('https://download.openmmlab.com/mmclassification/v0/resnet/'
             'resnet34_8xb32_in1k_20210831-f257d4e6.pth')

optim_wrapper = dict(
    optimizer=dict(lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(
    _delete_=True, type='CosineAnnealingLR', T_max=20, by_epoch=True)
train_cfg = dict(max_epochs=20)
val_evaluator = [
    dict(type='Accuracy', topk=(1, 5)),
    dict(type='mmkd_ext.ConditionalMutualInformation')
]
test_evaluator = val_evaluator
