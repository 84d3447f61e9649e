# ACAM-KD, RepPoints R101 (40.5 mAP) -> R50, COCO, 2x schedule; the
# student's neck and head start from the teacher's (inheriting strategy).
_base_ = [
    'mmdet::reppoints/reppoints-moment_r50_fpn-gn_head-gn_2x_coco.py',
    './_base_/acamkd_fpn.py'
]

model = dict(
    _delete_=True,
    type='mmkd_ext.DetectionDistiller',
    student=_base_.model,
    teacher='mmdet::reppoints/reppoints-moment_r101_fpn-gn_head-gn_2x_coco.py',
    # mmdet model zoo (configs/reppoints/metafile.yml): 40.5 box AP
    teacher_ckpt=('https://download.openmmlab.com/mmdetection/v2.0/'
                  'reppoints/reppoints_moment_r101_fpn_gn-neck%2Bhead_2x_coco/'
                  'reppoints_moment_r101_fpn_gn-neck%2Bhead'
                  '_2x_coco_20200329-4fbc7310.pth'),
    init_student_from_teacher=['neck', 'bbox_head'],
    distill_losses=_base_.acam_fpn_losses)
custom_hooks = [_base_.acam_mask_hook]
