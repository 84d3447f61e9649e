# HARD toy: KD on centred digits, part of each batch moved by a learned
# translation distribution that the augmentor trains to make teacher and
# student disagree (alternating 1:1 with the student's steps). The
# translation's mean and std are in fractions of the image (init_std 0.025:
# half a pixel on the 20-pixel canvas), logged in pixels (aug.*_px); the
# applied shifts are bounded to +-3 px and rounded to whole pixels.
# Settings chosen on a held-out part of the training digits
# (scripts/digits_hard_table.py --select), see README.md.
_base_ = ['./kd_cnn_mlp_digits20.py']

model = dict(
    type='mmkd_ext.HARDDistiller',
    augmentor=dict(
        type='LearnedAffineAugmentor', translation_only=True,
        init_std=0.025,
        max_translation=0.15,  # shifts within +-3 px of the 20-px canvas
        whole_pixels=True),  # no bilinear blur
    augment_fraction=0.5,
    augment_mode='replace',
    augmentor_steps=1,
    student_steps=1,
    consistency_weight=1.0,  # at the KD temperature (tau 4)
    reg_weight=0.01)

optim_wrapper = dict(
    _delete_=True,
    constructor='mmkd_ext.OptimWrapperDictConstructor',
    student=dict(
        optimizer=dict(
            type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4)),
    augmentor=dict(
        optimizer=dict(type='Adam', lr=0.001), clip_grad=dict(max_norm=1.0)))
# The student keeps its cosine schedule; the augmentor's lr stays constant
# (an empty list: no scheduler). A list instead of this dict would apply
# to both optimizers.
param_scheduler = dict(
    _delete_=True,
    student=[dict(type='CosineAnnealingLR', T_max=20, by_epoch=True)],
    augmentor=[])
# Under torch.distributed the student and the augmentor each get their own
# DDP (tools/dist_train.sh CONFIG 2).
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')

custom_hooks = [
    dict(type='mmkd_ext.AugmentorVisualizationHook', interval=100)
]
