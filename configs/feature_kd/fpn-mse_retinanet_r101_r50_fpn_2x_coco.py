# Plain feature imitation on the 5 FPN levels, RetinaNet R101 -> R50, COCO,
# 2x schedule: the baseline that the dense methods (ACAM-KD) are compared
# against, and the detection pair of tools/benchmark.py. The student's neck
# and head start from the teacher's (same shapes).
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
        fpn=dict(
            type='FeatureMSELoss',
            loss_weight=1.0,
            student_tap='neck',
            teacher_tap='neck')))
