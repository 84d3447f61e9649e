# Smoke test: the stock mmpretrain ResNet-18 ImageNet config, shrunk to the
# tiny ImageNet of `tools/make_tiny_data.py imagenet data/tiny_imagenet`
# (4 classes, 32x32 images) so that it trains in seconds on CPU.
_base_ = ['mmpretrain::resnet/resnet18_8xb32_in1k.py']

data_root = 'data/tiny_imagenet'
classes = ('c000', 'c001', 'c002', 'c003')

model = dict(head=dict(num_classes=len(classes), topk=(1, )))
data_preprocessor = dict(num_classes=len(classes))

train_pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
test_pipeline = train_pipeline
tiny_loader = dict(batch_size=16, num_workers=0, persistent_workers=False)
train_dataloader = dict(
    **tiny_loader,
    dataset=dict(
        data_root=data_root, classes=classes, pipeline=train_pipeline))
val_dataloader = dict(
    **tiny_loader,
    dataset=dict(
        data_root=data_root, classes=classes, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(topk=(1, ))
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = dict(milestones=[100])
train_cfg = dict(max_epochs=10, val_interval=100)
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(max_keep_ckpts=2))
randomness = dict(seed=0)
