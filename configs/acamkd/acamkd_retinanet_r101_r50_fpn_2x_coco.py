# ACAM-KD, RetinaNet R101 (38.9 mAP) -> R50, COCO, 2x schedule; the
# student's neck and head start from the teacher's (inheriting strategy).
_base_ = [
    'mmdet::retinanet/retinanet_r50_fpn_2x_coco.py',
    './_base_/acamkd_fpn.py'
]

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
    distill_losses=_base_.acam_fpn_losses)
custom_hooks = [_base_.acam_mask_hook]
