# CWD (Shu et al., ICCV 2021) on the FPN, Faster R-CNN R101 -> R50, COCO,
# 1x. The authors released no Faster R-CNN setting; this is MMRazor's
# transcription (configs/distill/mmdet/cwd/cwd_fpn_frcnn_r101_frcnn_r50_1x_coco.py):
# tau 1.0, weight 10 on each of the five levels P2-P6, the stock schedule
# (SGD 0.02, 12 epochs).
_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py']
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
    distill_losses=dict(
        cwd=dict(
            type='CWDLoss',
            temperature=1.0,
            loss_weight=10.0,
            student_tap='neck',
            teacher_tap='neck')))
