# CIFAR-100 resnet56, the MCMI stage-0 teacher: trained with CE under the
# CRD/RepDistiller protocol (240 epochs, batch 64, SGD 0.05 momentum 0.9,
# wd 5e-4, x0.1 at 150/180/210). The other CIFAR-100 models inherit it.
# The authors train one batch of 64 on one GPU; here 8 GPUs x 8 images, with
# BatchNorm synchronised across the GPUs (sync_bn) so that its statistics
# are over the same 64 images, and lr 0.05 defined for a batch of 64
# (auto_scale_lr: --auto-scale-lr keeps it at 8 x 8). One GPU as the
# authors: bash tools/dist_train.sh CONFIG 1 \
#     --cfg-options train_dataloader.batch_size=64
_base_ = ['mmpretrain::resnet/resnet50_8xb16_cifar100.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmkd_ext.CifarResNet',
        depth=56,
        widths=(16, 16, 32, 64)),
    head=dict(in_channels=64))
train_dataloader = dict(batch_size=8)
optim_wrapper = dict(
    optimizer=dict(lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(milestones=[150, 180, 210], gamma=0.1)
train_cfg = dict(max_epochs=240)
auto_scale_lr = dict(base_batch_size=64)
sync_bn = 'torch'  # BN over all 8 GPUs' images when distributed
