# FGD on tiny COCO, the tiny-data table of ../acamkd/README.md: the pair and
# levels of ../feature_kd/fpn-mse_retinanet_r18_r18-w16_fpn_tiny-coco.py
# (RetinaNet-R18, 32-channel FPN -> R18-w16, 16-channel FPN, P3-P7, 1x1
# align convs) with the authors' RetinaNet setting (T 0.5, alpha 1e-3,
# beta 5e-4, gamma 5e-4, lambda 5e-6, ./README.md); the boxes come from the
# batch's data_samples. Pass the tiny teacher's checkpoint as
# model.teacher_ckpt (scripts/acamkd_tiny_table.py does).
_base_ = ['../acamkd/acamkd_retinanet_r18_r18-w16_fpn_tiny-coco.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        fgd=dict(
            type='FGDLoss',
            student_channels=16,
            teacher_channels=32,
            num_levels=5,
            temperature=0.5,
            alpha_fgd=1e-3,
            beta_fgd=5e-4,
            gamma_fgd=5e-4,
            lambda_fgd=5e-6,
            student_tap='neck',
            teacher_tap='neck')))
custom_hooks = []
