# HARD toy, plain KD: the MLP student of mlp_digits40.py distilled from the
# ResNet teacher of resnet18-w16_digits40.py (KD, tau 4) on centred digits.
# Set model.teacher_ckpt to the teacher's checkpoint.
_base_ = ['./mlp_digits40.py']

student = _base_.model
model = dict(
    _delete_=True,
    type='mmkd_ext.ClassificationDistiller',
    student=student,
    teacher='configs/hard/resnet18-w16_digits40.py',
    teacher_ckpt=None,
    distill_losses=dict(
        kd=dict(
            type='KDLoss',
            temperature=4.0,
            student_tap='head.fc',
            teacher_tap='head.fc')))
