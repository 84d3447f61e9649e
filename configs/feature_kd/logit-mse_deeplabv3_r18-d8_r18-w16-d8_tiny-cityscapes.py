# Plain imitation of the decode-head logits on tiny Cityscapes, the cheap
# baseline for ACAM-KD's tiny check: the pair and tap of
# ../acamkd/acamkd_deeplabv3_r18-d8_r18-w16-d8_tiny-cityscapes.py (19-class
# logits at 1/8 resolution), FeatureMSELoss instead of ACAMLoss. Pass the
# tiny teacher's checkpoint as model.teacher_ckpt
# (scripts/acamkd_tiny_table.py does).
_base_ = ['../acamkd/acamkd_deeplabv3_r18-d8_r18-w16-d8_tiny-cityscapes.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        logits=dict(
            type='FeatureMSELoss',
            student_tap='decode_head.conv_seg',
            teacher_tap='decode_head.conv_seg')))
custom_hooks = []
