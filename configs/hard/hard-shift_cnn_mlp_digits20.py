# HARD toy: KD on centred digits, half of each batch moved by a learned
# translation distribution that the augmentor trains to make teacher and
# student disagree (alternating 1:1 with the student's steps).
_base_ = ['./kd_cnn_mlp_digits20.py']

model = dict(
    type='mmkd_ext.HARDDistiller',
    augmentor=dict(
        type='LearnedAffineAugmentor', translation_only=True, init_std=0.05),
    augment_fraction=0.5,
    augmentor_steps=1,
    student_steps=1,
    consistency_weight=1.0,
    reg_weight=0.1)

optim_wrapper = dict(
    _delete_=True,
    constructor='mmkd_ext.OptimWrapperDictConstructor',
    student=dict(
        optimizer=dict(
            type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4)),
    augmentor=dict(
        optimizer=dict(type='Adam', lr=0.01), clip_grad=dict(max_norm=1.0)))

custom_hooks = [
    dict(type='mmkd_ext.AugmentorVisualizationHook', interval=100)
]
