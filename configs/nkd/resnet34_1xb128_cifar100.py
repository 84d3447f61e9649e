# CIFAR-100 ResNet-34 (CIFAR stem), the teacher of the CIFAR-100 KD/NKD
# configs: train it first with tools/train.py. 200 epochs, SGD 0.1, wd 1e-4,
# x0.1 at 100/150, batch 128 on one GPU (the papers' setting; the name says
# what it runs: 1 GPU x 128 images).
_base_ = ['mmpretrain::resnet/resnet50_8xb16_cifar100.py']

model = dict(backbone=dict(depth=34), head=dict(in_channels=512))
train_dataloader = dict(batch_size=128)
optim_wrapper = dict(optimizer=dict(lr=0.1, weight_decay=1e-4))
param_scheduler = dict(milestones=[100, 150], gamma=0.1)
train_cfg = dict(max_epochs=200)
