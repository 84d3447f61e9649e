# PKD (Cao et al., NeurIPS 2022) on the FPN, Faster R-CNN R101 -> R50, COCO,
# 2x: the authors' setting in MMRazor
# (configs/distill/mmdet/pkd/pkd_fpn_faster-rcnn_r101_faster-rcnn_r50_2x_coco.py):
# weight 6 on each of P2-P5 (neck outputs 0-3; P6 is not distilled), the
# stock schedule (SGD 0.02, 24 epochs).
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
    distill_losses=dict(
        pkd=dict(
            type='PKDLoss',
            levels=[0, 1, 2, 3],
            loss_weight=6.0,
            student_tap='neck',
            teacher_tap='neck')))
