# ACAM-KD learning check on tiny Cityscapes: DeepLabV3-R18 -> DeepLabV3-R18-w16
# on the decode-head logits (19 classes, M = 19). The teacher checkpoint comes
# from training deeplabv3_r18-d8_tiny-cityscapes.py
# (scripts/acamkd_tiny_table.py passes it as model.teacher_ckpt).
_base_ = ['./deeplabv3_r18-w16-d8_tiny-cityscapes.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='mmkd_ext.SegmentationDistiller',
    student=_base_.model,
    teacher='{{fileDirname}}/deeplabv3_r18-d8_tiny-cityscapes.py',
    teacher_ckpt=None,
    distill_losses=dict(
        acam=dict(
            type='LevelwiseLoss',
            num_levels=1,
            level_loss=dict(
                type='ACAMLoss',
                student_channels=19,
                teacher_channels=19,
                num_masks=19),
            student_tap='decode_head.conv_seg',
            teacher_tap='decode_head.conv_seg')))
custom_hooks = [dict(type='mmkd_ext.MaskVisualizationHook', interval=100)]
