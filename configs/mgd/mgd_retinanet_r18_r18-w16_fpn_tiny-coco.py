# MGD on tiny COCO, the tiny-data table of ../acamkd/README.md: the pair and
# levels of ../feature_kd/fpn-mse_retinanet_r18_r18-w16_fpn_tiny-coco.py
# (RetinaNet-R18, 32-channel FPN -> R18-w16, 16-channel FPN, P3-P7, 1x1
# align convs) with the authors' RetinaNet setting (lambda_mgd 0.65,
# alpha_mgd 2e-5, ./README.md). Pass the tiny teacher's checkpoint as
# model.teacher_ckpt (scripts/acamkd_tiny_table.py does).
_base_ = ['../acamkd/acamkd_retinanet_r18_r18-w16_fpn_tiny-coco.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        mgd=dict(
            type='MGDLoss',
            student_channels=16,
            teacher_channels=32,
            num_levels=5,
            alpha_mgd=2e-5,
            lambda_mgd=0.65,
            student_tap='neck',
            teacher_tap='neck')))
custom_hooks = []
