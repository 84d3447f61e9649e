# HARD toy, plain KD: the MLP student of mlp_digits20.py distilled from the
# CNN teacher of cnn_digits20.py (KD, tau 4) on centred digits.
# Set model.teacher_ckpt to the teacher's checkpoint.
_base_ = ['./mlp_digits20.py']

student = _base_.model
model = dict(
    _delete_=True,
    type='mmkd_ext.ClassificationDistiller',
    student=student,
    teacher='{{fileDirname}}/cnn_digits20.py',
    teacher_ckpt=None,
    distill_losses=dict(
        kd=dict(
            type='KDLoss',
            temperature=4.0,
            student_tap='head.fc',
            teacher_tap='head.fc')))
