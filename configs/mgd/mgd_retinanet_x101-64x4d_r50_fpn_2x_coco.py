# MGD (Yang et al., ECCV 2022) on the FPN, RetinaNet X101-64x4d -> R50, COCO,
# 2x: the authors' setting (yzd-v/MGD
# det/configs/distillers/mgd/retina_rx101_64x4d_distill_retina_r50_fpn_2x_coco.py):
# alpha_mgd 2e-5, lambda_mgd 0.65 on all five levels P3-P7, the teacher's
# multi-scale 3x checkpoint, the student's neck and head initialised from
# the teacher (init_student), gradient clipping at 35, SGD 0.01.
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_2x_coco.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='mmkd_ext.DetectionDistiller',
    student=_base_.model,
    teacher='mmdet::retinanet/retinanet_x101-64x4d_fpn_ms-640-800-3x_coco.py',
    # mmdet model zoo (configs/retinanet/metafile.yml): 41.6 box AP
    teacher_ckpt=('https://download.openmmlab.com/mmdetection/v2.0/'
                  'retinanet/retinanet_x101_64x4d_fpn_mstrain_3x_coco/'
                  'retinanet_x101_64x4d_fpn_mstrain_3x_coco'
                  '_20210719_051838-022c2187.pth'),
    init_student_from_teacher=['neck', 'bbox_head'],
    distill_losses=dict(
        mgd=dict(
            type='MGDLoss',
            teacher_channels=256,
            num_levels=5,
            alpha_mgd=2e-5,
            lambda_mgd=0.65,
            student_tap='neck',
            teacher_tap='neck')))
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
