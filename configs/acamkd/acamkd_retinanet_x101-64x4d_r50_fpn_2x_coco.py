# ACAM-KD, RetinaNet X101-64x4d (41.0 mAP) -> R50, COCO, 2x schedule; the
# student's neck and head start from the teacher's (inheriting strategy).
_base_ = [
    'mmdet::retinanet/retinanet_r50_fpn_2x_coco.py',
    './_base_/acamkd_fpn.py'
]

model = dict(
    _delete_=True,
    type='mmkd_ext.DetectionDistiller',
    student=_base_.model,
    teacher='mmdet::retinanet/retinanet_x101-64x4d_fpn_1x_coco.py',
    # mmdet model zoo (configs/retinanet/metafile.yml): 41.0 box AP
    teacher_ckpt=('https://download.openmmlab.com/mmdetection/v2.0/'
                  'retinanet/retinanet_x101_64x4d_fpn_1x_coco/'
                  'retinanet_x101_64x4d_fpn_1x_coco_20200130-366f5af1.pth'),
    init_student_from_teacher=['neck', 'bbox_head'],
    distill_losses=_base_.acam_fpn_losses)
custom_hooks = [_base_.acam_mask_hook]
