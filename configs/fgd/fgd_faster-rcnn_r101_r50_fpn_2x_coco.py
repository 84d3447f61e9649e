# FGD (Yang et al., CVPR 2022) on the FPN, Faster R-CNN R101 -> R50, COCO,
# 2x (the pair of ../acamkd/acamkd_faster-rcnn_r101_r50_fpn_2x_coco.py): the
# authors' setting (yzd-v/FGD
# configs/distillers/fgd/fgd_faster_rcnn_r101_fpn_2x_distill_faster_rcnn_r50_fpn_2x_coco.py):
# T 0.5, alpha 5e-5, beta 2.5e-5, gamma 5e-5, lambda 5e-7 on P2-P5 (their
# taps neck.fpn_convs.0-3; P6 is not distilled), the student's neck and
# heads initialised from the teacher (init_student), gradient clipping at
# 35, SGD 0.02. The boxes come from the batch's data_samples.
_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='mmkd_ext.DetectionDistiller',
    student=_base_.model,
    teacher='mmdet::faster_rcnn/faster-rcnn_r101_fpn_2x_coco.py',
    # mmdet model zoo (configs/faster_rcnn/metafile.yml): 39.8 box AP
    teacher_ckpt=('https://download.openmmlab.com/mmdetection/v2.0/'
                  'faster_rcnn/faster_rcnn_r101_fpn_2x_coco/'
                  'faster_rcnn_r101_fpn_2x_coco_bbox_mAP-0.398'
                  '_20200504_210455-1d2dac9c.pth'),
    init_student_from_teacher=['neck', 'rpn_head', 'roi_head'],
    distill_losses=dict(
        fgd=dict(
            type='FGDLoss',
            teacher_channels=256,
            levels=[0, 1, 2, 3],
            temperature=0.5,
            alpha_fgd=5e-5,
            beta_fgd=2.5e-5,
            gamma_fgd=5e-5,
            lambda_fgd=5e-7,
            student_tap='neck',
            teacher_tap='neck')))
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
