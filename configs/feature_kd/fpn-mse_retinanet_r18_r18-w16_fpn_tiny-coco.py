# Plain FPN imitation on tiny COCO, the cheap baseline for ACAM-KD's tiny
# check: the pair and levels of
# ../acamkd/acamkd_retinanet_r18_r18-w16_fpn_tiny-coco.py (RetinaNet-R18,
# 32-channel FPN -> R18-w16, 16-channel FPN, 5 levels, 1x1 align convs),
# FeatureMSELoss instead of ACAMLoss. Pass the tiny teacher's checkpoint as
# model.teacher_ckpt (scripts/acamkd_tiny_table.py does).
_base_ = ['../acamkd/acamkd_retinanet_r18_r18-w16_fpn_tiny-coco.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        fpn=dict(
            type='FeatureMSELoss',
            student_channels=16,
            teacher_channels=32,
            num_levels=5,
            student_tap='neck',
            teacher_tap='neck')))
custom_hooks = []
