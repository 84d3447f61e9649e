# MCMI stage 2 on the digits, with a teacher: the demo's KD (tau 4, loss
# weight 1 next to the student's cross entropy) from the MCMI teacher of
# mcmi_resnet18-w32_gray_digits.py, exported with tools/export_student.py,
# into the demo student on the training subsets of
# lenet5_subset_digits.py. Set `model.teacher_ckpt` to the exported CE
# teacher for the baseline.
_base_ = ['./lenet5_subset_digits.py']

model = dict(
    _delete_=True,
    type='mmkd_ext.ClassificationDistiller',
    student=_base_.model,
    teacher='{{fileDirname}}/resnet18-w32_gray_digits.py',
    teacher_ckpt='work_dirs/mcmi_digits/teacher_mcmi.pth',
    distill_losses=dict(
        kd=dict(
            type='KDLoss',
            temperature=4.0,
            student_tap='head.fc',
            teacher_tap='head.fc')))
