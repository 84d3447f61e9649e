# Foreground-weighted FPN imitation on tiny COCO: RetinaNet-R18 (32-channel
# FPN) -> RetinaNet-R18-w16 (16-channel FPN), 5 levels, the ground-truth
# boxes weighting each level (ForegroundFeatureLoss reads them from the
# batch's data_samples). Train the teacher first:
#   tools/train.py configs/acamkd/retinanet_r18_fpn_tiny-coco.py
# then pass its checkpoint as model.teacher_ckpt.
_base_ = ['../acamkd/retinanet_r18-w16_fpn_tiny-coco.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='mmkd_ext.DetectionDistiller',
    student=_base_.model,
    teacher='{{fileDirname}}/../acamkd/retinanet_r18_fpn_tiny-coco.py',
    teacher_ckpt=None,
    distill_losses=dict(
        fg=dict(
            type='ForegroundFeatureLoss',
            student_channels=16,
            teacher_channels=32,
            num_levels=5,
            fg_weight=1.0,
            bg_weight=0.5,
            student_tap='neck',
            teacher_tap='neck')))
