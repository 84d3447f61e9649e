# CWD on tiny Cityscapes, the tiny-data table of ../acamkd/README.md: the
# pair and tap of
# ../feature_kd/logit-mse_deeplabv3_r18-d8_r18-w16-d8_tiny-cityscapes.py
# (DeepLabV3-R18 -> R18-w16, the 19-class decode-head logits at 1/8) with
# the authors' Cityscapes logits setting (tau 4, weight 3, ./README.md). Pass
# the tiny teacher's checkpoint as model.teacher_ckpt
# (scripts/acamkd_tiny_table.py does).
_base_ = ['../acamkd/acamkd_deeplabv3_r18-d8_r18-w16-d8_tiny-cityscapes.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        cwd=dict(
            type='CWDLoss',
            temperature=4.0,
            loss_weight=3.0,
            student_tap='decode_head.conv_seg',
            teacher_tap='decode_head.conv_seg')))
custom_hooks = []
