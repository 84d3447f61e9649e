# ACAM-KD on the decode-head logits, DeepLabV3-R101 ->
# DeepLabV3-MobileNetV2, Cityscapes, 40k iterations.
_base_ = [
    'mmseg::mobilenet_v2/'
    'mobilenet-v2-d8_deeplabv3_4xb2-80k_cityscapes-512x1024.py',
    './_base_/acamkd_cityscapes-logits_8xb2-40k.py'
]

model = dict(
    _delete_=True,
    type='mmkd_ext.SegmentationDistiller',
    student=_base_.model,
    teacher=_base_.acam_teacher,
    teacher_ckpt=_base_.acam_teacher_ckpt,
    distill_losses=_base_.acam_logit_losses)
optim_wrapper = _base_.acam_optim_wrapper
param_scheduler = _base_.acam_param_scheduler
train_cfg = _base_.acam_train_cfg
train_dataloader = _base_.acam_train_dataloader
custom_hooks = [_base_.acam_mask_hook]
