# CWD (Shu et al., ICCV 2021) on the decode-head logits, DeepLabV3-R101 ->
# DeepLabV3-R18, Cityscapes: the protocol of
# ../acamkd/acamkd_deeplabv3_r101-d8_r18-d8_8xb2-40k_cityscapes-512x1024.py
# (same teacher, 40k iterations, SGD 0.02, poly, batch 16, 512x1024 crops)
# with the authors' logits setting (TorchDistiller SemSeg-distill README:
# `exp_cwd.sh channel kl 3 4`, i.e. channel softmax, KL, weight 3, tau 4).
_base_ = [
    'mmseg::deeplabv3/deeplabv3_r18-d8_4xb2-80k_cityscapes-512x1024.py',
    '../acamkd/_base_/acamkd_cityscapes-logits_8xb2-40k.py'
]

model = dict(
    _delete_=True,
    type='mmkd_ext.SegmentationDistiller',
    student=_base_.model,
    teacher=_base_.acam_teacher,
    teacher_ckpt=_base_.acam_teacher_ckpt,
    distill_losses=dict(
        cwd=dict(
            type='CWDLoss',
            temperature=4.0,
            loss_weight=3.0,
            student_tap='decode_head.conv_seg',
            teacher_tap='decode_head.conv_seg')))
optim_wrapper = _base_.acam_optim_wrapper
param_scheduler = _base_.acam_param_scheduler
train_cfg = _base_.acam_train_cfg
train_dataloader = _base_.acam_train_dataloader
