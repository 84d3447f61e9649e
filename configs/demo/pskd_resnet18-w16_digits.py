# PS-KD on the demo student (no teacher): alpha_T 0.8, memory in fp32 (the
# official behaviour); `--cfg-options model.head.memory.mode=fp16` or
# `model.head.memory.mode=topk model.head.memory.topk=3` switch the storage.
_base_ = ['./resnet18-w16_digits.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    head=dict(
        type='mmkd_ext.PSKDHead', alpha_T=0.8, memory=dict(mode='fp32')))
custom_hooks = [dict(type='mmkd_ext.PSKDHook')]
