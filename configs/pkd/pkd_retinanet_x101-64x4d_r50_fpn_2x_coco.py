# PKD (Cao et al., NeurIPS 2022) on the FPN, RetinaNet X101-64x4d -> R50,
# COCO, 2x: the authors' setting in MMRazor
# (configs/distill/mmdet/pkd/pkd_fpn_retina_x101_retina_r50_2x_coco.py):
# weight 10 on each of P3-P6 (neck outputs 0-3), SGD 0.01 (the stock
# RetinaNet lr), 24 epochs.
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_2x_coco.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='mmkd_ext.DetectionDistiller',
    student=_base_.model,
    teacher='mmdet::retinanet/retinanet_x101-64x4d_fpn_1x_coco.py',
    # mmdet model zoo (configs/retinanet/metafile.yml): 41.0 box AP
    teacher_ckpt=('https://download.openmmlab.com/mmdetection/v2.0/'
                  'retinanet/retinanet_x101_64x4d_fpn_1x_coco/'
                  'retinanet_x101_64x4d_fpn_1x_coco_20200130-366f5af1.pth'),
    distill_losses=dict(
        pkd=dict(
            type='PKDLoss',
            levels=[0, 1, 2, 3],
            loss_weight=10.0,
            student_tap='neck',
            teacher_tap='neck')))
