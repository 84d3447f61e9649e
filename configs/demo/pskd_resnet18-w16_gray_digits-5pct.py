# PS-KD on the over-parameterised digits student (no teacher): alpha_T 0.8,
# memory in fp32 (the official behaviour); `--cfg-options
# model.head.memory.mode=fp16` or `model.head.memory.mode=topk
# model.head.memory.topk=3` switch the storage. The subset is wrapped in
# GlobalIndexDataset so that the memory is indexed by position in the 70
# training images.
_base_ = ['./resnet18-w16_gray_digits-5pct.py']

model = dict(
    head=dict(
        type='mmkd_ext.PSKDHead', alpha_T=0.8, memory=dict(mode='fp32')))
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmkd_ext.GlobalIndexDataset',
        dataset=_base_.train_dataloader.dataset))
custom_hooks = [dict(type='mmkd_ext.PSKDHook')]
