# CWD on tiny COCO, the tiny-data table of ../acamkd/README.md: the pair and
# levels of ../feature_kd/fpn-mse_retinanet_r18_r18-w16_fpn_tiny-coco.py
# (RetinaNet-R18, 32-channel FPN -> R18-w16, 16-channel FPN, 1x1 align convs
# as the authors' detection release has for unequal channels) with the
# authors' RetinaNet setting (tau 1, weight 5 on P3-P6, ./README.md). Pass
# the tiny teacher's checkpoint as model.teacher_ckpt
# (scripts/acamkd_tiny_table.py does).
_base_ = ['../acamkd/acamkd_retinanet_r18_r18-w16_fpn_tiny-coco.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        cwd=dict(
            type='CWDLoss',
            temperature=1.0,
            student_channels=16,
            teacher_channels=32,
            levels=[0, 1, 2, 3],
            loss_weight=5.0,
            student_tap='neck',
            teacher_tap='neck')))
custom_hooks = []
