# MCMI stage 2 on the digits: KD (tau 4, CE weight 0.1, KD weight 0.9, the
# protocol of the official scripts) from the MCMI teacher of
# mcmi_resnet18_digits.py, exported with tools/export_student.py, into the
# demo student on the same training subsets as resnet18-w16_subset_digits.py.
# Set `model.teacher_ckpt` to the CE teacher for the baseline.
_base_ = ['./resnet18-w16_subset_digits.py']

model = dict(
    _delete_=True,
    type='mmkd_ext.ClassificationDistiller',
    student=dict(
        _base_.model,
        head=dict(
            _base_.model.head,
            loss=dict(type='CrossEntropyLoss', loss_weight=0.1))),
    teacher='{{fileDirname}}/../demo/resnet18_digits.py',
    teacher_ckpt='work_dirs/mcmi_digits/teacher_mcmi.pth',
    distill_losses=dict(
        kd=dict(
            type='KDLoss',
            temperature=4.0,
            loss_weight=0.9,
            student_tap='head.fc',
            teacher_tap='head.fc')))
