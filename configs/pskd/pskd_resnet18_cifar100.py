# PS-KD on CIFAR-100 with mmpretrain's CIFAR ResNet-18 (the closest stock
# model to the paper's PreAct ResNet-18): alpha_T 0.8, 300 epochs, batch 128,
# SGD Nesterov (momentum 0.9) lr 0.1, x0.1 at 150 and 225, wd 5e-4; the stock
# CIFAR pipeline (RandomCrop 32 pad 4 + flip). Memory: fp32, as the paper.
_base_ = ['../nkd/resnet18_1xb128_cifar100.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    head=dict(
        type='mmkd_ext.PSKDHead', alpha_T=0.8, memory=dict(mode='fp32')))
custom_hooks = [dict(type='mmkd_ext.PSKDHook')]

optim_wrapper = dict(
    optimizer=dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4))
param_scheduler = dict(milestones=[150, 225], gamma=0.1)
train_cfg = dict(max_epochs=300)
