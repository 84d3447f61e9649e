# FGD (Yang et al., CVPR 2022) on the FPN, RetinaNet R101 -> R50, COCO, 2x
# (the pair of ../acamkd/acamkd_retinanet_r101_r50_fpn_2x_coco.py): the
# authors' setting (yzd-v/FGD
# configs/distillers/fgd/fgd_retina_r101_fpn_2x_distill_retina_r50_fpn_2x_coco.py):
# T 0.5, alpha 1e-3, beta 5e-4, gamma 5e-4, lambda 5e-6 on all five levels
# P3-P7, the student's neck and head initialised from the teacher
# (init_student), gradient clipping at 35, SGD 0.01. The boxes come from the
# batch's data_samples.
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_2x_coco.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='mmkd_ext.DetectionDistiller',
    student=_base_.model,
    teacher='mmdet::retinanet/retinanet_r101_fpn_2x_coco.py',
    # mmdet model zoo (configs/retinanet/metafile.yml): 38.9 box AP
    teacher_ckpt=('https://download.openmmlab.com/mmdetection/v2.0/'
                  'retinanet/retinanet_r101_fpn_2x_coco/'
                  'retinanet_r101_fpn_2x_coco_20200131-5560aee8.pth'),
    init_student_from_teacher=['neck', 'bbox_head'],
    distill_losses=dict(
        fgd=dict(
            type='FGDLoss',
            teacher_channels=256,
            num_levels=5,
            temperature=0.5,
            alpha_fgd=1e-3,
            beta_fgd=5e-4,
            gamma_fgd=5e-4,
            lambda_fgd=5e-6,
            student_tap='neck',
            teacher_tap='neck')))
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
