# ACAM-KD on the decode-head logits of Cityscapes segmentors (19 classes,
# 1/8 resolution, M = 19 masks), DeepLabV3-R101 teacher, and the CIRKD/MasKD
# schedule: 40k iterations, SGD lr 0.02, poly, weight decay 5e-4, batch 16 as
# 8 GPUs x 2 images, 512x1024 crops (methods.md 1.6). Mixed into the
# segmentation configs of this folder next to the student's mmseg config;
# they refer to these variables as _base_.<name>.
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

acam_teacher = ('mmseg::deeplabv3/'
                'deeplabv3_r101-d8_4xb2-80k_cityscapes-512x1024.py')
# mmseg model zoo (configs/deeplabv3/metafile.yaml): 80.20 mIoU
acam_teacher_ckpt = (
    'https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3/'
    'deeplabv3_r101-d8_512x1024_80k_cityscapes/'
    'deeplabv3_r101-d8_512x1024_80k_cityscapes_20200606_113503-9e428899.pth')

acam_logit_losses = dict(
    acam=dict(
        type='LevelwiseLoss',
        num_levels=1,
        level_loss=dict(
            type='ACAMLoss',
            student_channels=19,
            teacher_channels=19,
            num_masks=19,
            alpha=1.0,
            lambda_div=1.0),
        student_tap='decode_head.conv_seg',
        teacher_tap='decode_head.conv_seg'))

acam_optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=5e-4))
acam_param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=40000,
         by_epoch=False)
]
acam_train_cfg = dict(max_iters=40000, val_interval=4000)
acam_train_dataloader = dict(batch_size=2)
acam_mask_hook = dict(type='mmkd_ext.MaskVisualizationHook', interval=2000)
