# ACAM-KD learning check on tiny COCO: RetinaNet-R18 (32-channel FPN) ->
# RetinaNet-R18-w16 (16-channel FPN), 5 levels, M = 6, alpha = lambda_div = 1.
# The teacher checkpoint comes from training retinanet_r18_fpn_tiny-coco.py
# (scripts/acamkd_tiny_table.py passes it as model.teacher_ckpt).
_base_ = ['./retinanet_r18-w16_fpn_tiny-coco.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='mmkd_ext.DetectionDistiller',
    student=_base_.model,
    teacher='{{fileDirname}}/retinanet_r18_fpn_tiny-coco.py',
    teacher_ckpt=None,
    distill_losses=dict(
        acam=dict(
            type='LevelwiseLoss',
            num_levels=5,
            level_loss=dict(
                type='ACAMLoss', student_channels=16, teacher_channels=32),
            student_tap='neck',
            teacher_tap='neck')))
custom_hooks = [dict(type='mmkd_ext.MaskVisualizationHook', interval=48)]
