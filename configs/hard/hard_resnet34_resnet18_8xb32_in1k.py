# HARD on ImageNet, ResNet-34 teacher -> ResNet-18 student: a starting point,
# not a reproduction (the paper's ImageNet pairs, schedules and numbers were
# not available). KD (tau 1.0) of ../kd/kd_resnet34_resnet18_8xb32_in1k.py on
# batches of which half is augmented by a learned colour (contrast/brightness
# per channel) then affine distribution, trained 1:1 against the student.
_base_ = ['../kd/kd_resnet34_resnet18_8xb32_in1k.py']

model = dict(
    type='mmkd_ext.HARDDistiller',
    augmentor=dict(
        type='ComposeAugmentor',
        augmentors=[
            dict(type='LearnedColourAugmentor', num_channels=3,
                 init_std=0.05),
            dict(
                type='LearnedAffineAugmentor',
                translation_only=False,
                init_std=0.025,  # of the image size; unitless linear part
                padding_mode='reflection')
        ]),
    augment_fraction=0.5,
    augmentor_steps=1,
    student_steps=1,
    consistency_weight=1.0,  # at the KD temperature
    reg_weight=0.1,
    freeze_bn_in_augmentor_step=True)

# One optimizer per trained part: the student's (with the distillation
# losses' parameters) and the augmentor's.
optim_wrapper = dict(
    _delete_=True,
    constructor='mmkd_ext.OptimWrapperDictConstructor',
    student=dict(
        optimizer=dict(
            type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001)),
    augmentor=dict(
        optimizer=dict(type='Adam', lr=0.001), clip_grad=dict(max_norm=1.0)))

custom_hooks = [
    dict(type='mmkd_ext.AugmentorVisualizationHook', interval=2000)
]
# The student keeps the stock step schedule; the augmentor's lr is constant.
param_scheduler = dict(
    _delete_=True, student=_base_.param_scheduler, augmentor=[])
# 8 GPUs: the student and the augmentor each get their own DDP.
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
