# MGD (Yang et al., ECCV 2022) on the FPN, Cascade Mask R-CNN X101-32x4d-DCN
# -> Faster R-CNN R50, COCO, 2x: the authors' setting (yzd-v/MGD
# det/configs/distillers/mgd/cascade_mask_rcnn_rx101_32x4d_distill_faster_rcnn_r50_fpn_2x_coco.py):
# alpha_mgd 5e-7, lambda_mgd 0.45 on P2-P5 (their taps neck.fpn_convs.0-3;
# P6 is not distilled), gradient clipping at 35, the stock schedule
# (SGD 0.02); the heads differ, so nothing is inherited from the teacher.
_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='mmkd_ext.DetectionDistiller',
    student=_base_.model,
    teacher=('mmdet::dcn/'
             'cascade-mask-rcnn_x101-32x4d-dconv-c3-c5_fpn_1x_coco.py'),
    # mmdet model zoo (configs/dcn/metafile.yml): 47.3 box AP
    teacher_ckpt=('https://download.openmmlab.com/mmdetection/v2.0/dcn/'
                  'cascade_mask_rcnn_x101_32x4d_fpn_dconv_c3-c5_1x_coco/'
                  'cascade_mask_rcnn_x101_32x4d_fpn_dconv_c3-c5_1x_coco'
                  '-e75f90c8.pth'),
    distill_losses=dict(
        mgd=dict(
            type='MGDLoss',
            teacher_channels=256,
            levels=[0, 1, 2, 3],
            alpha_mgd=5e-7,
            lambda_mgd=0.45,
            student_tap='neck',
            teacher_tap='neck')))
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
