# ACAM-KD, RepPoints X101-64x4d-DCN (44.2 mAP) -> R50, COCO, 2x schedule;
# the student's neck and head start from the teacher's.
_base_ = [
    'mmdet::reppoints/reppoints-moment_r50_fpn-gn_head-gn_2x_coco.py',
    './_base_/acamkd_fpn.py'
]

model = dict(
    _delete_=True,
    type='mmkd_ext.DetectionDistiller',
    student=_base_.model,
    teacher=('mmdet::reppoints/'
             'reppoints-moment_x101-dconv-c3-c5_fpn-gn_head-gn_2x_coco.py'),
    # mmdet model zoo (configs/reppoints/metafile.yml): 44.2 box AP
    teacher_ckpt=('https://download.openmmlab.com/mmdetection/v2.0/'
                  'reppoints/reppoints_moment_x101_fpn_dconv_c3-c5'
                  '_gn-neck%2Bhead_2x_coco/'
                  'reppoints_moment_x101_fpn_dconv_c3-c5'
                  '_gn-neck%2Bhead_2x_coco_20200329-f87da1ea.pth'),
    init_student_from_teacher=['neck', 'bbox_head'],
    distill_losses=_base_.acam_fpn_losses)
custom_hooks = [_base_.acam_mask_hook]
