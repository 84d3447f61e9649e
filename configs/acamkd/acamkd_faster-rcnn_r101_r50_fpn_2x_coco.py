# ACAM-KD, Faster R-CNN R101 (39.8 mAP) -> R50, COCO, 2x schedule, on
# P2-P6; the student's neck and heads start from the teacher's.
_base_ = [
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py',
    './_base_/acamkd_fpn.py'
]

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
    distill_losses=_base_.acam_fpn_losses)
custom_hooks = [_base_.acam_mask_hook]
