# ACAM-KD, Cascade Mask R-CNN X101-64x4d (45.6 box mAP) -> Faster R-CNN
# R50, COCO, 2x schedule, on P2-P6 (the FGD/MasKD pairing); the student's
# neck and RPN head start from the teacher's (the RoI heads differ).
_base_ = [
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py',
    './_base_/acamkd_fpn.py'
]

model = dict(
    _delete_=True,
    type='mmkd_ext.DetectionDistiller',
    student=_base_.model,
    teacher='mmdet::cascade_rcnn/cascade-mask-rcnn_x101-64x4d_fpn_20e_coco.py',
    # mmdet model zoo (configs/cascade_rcnn/metafile.yml): 45.6 box AP
    teacher_ckpt=('https://download.openmmlab.com/mmdetection/v2.0/'
                  'cascade_rcnn/cascade_mask_rcnn_x101_64x4d_fpn_20e_coco/'
                  'cascade_mask_rcnn_x101_64x4d_fpn_20e_coco'
                  '_20200512_161033-bdb5126a.pth'),
    init_student_from_teacher=['neck', 'rpn_head'],
    distill_losses=_base_.acam_fpn_losses)
custom_hooks = [_base_.acam_mask_hook]
