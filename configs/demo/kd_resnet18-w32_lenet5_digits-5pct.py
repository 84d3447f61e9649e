# Demo distillation with vanilla KD (Hinton et al., tau 4, loss weight 1 next
# to the student's cross entropy): the demo teacher into the demo student,
# same data, schedule and seed as the student trained alone. The teacher
# sees the student's augmented batch. Train the teacher first (`make demo`
# does): its checkpoint is model.teacher_ckpt.
_base_ = ['./lenet5_digits-5pct.py']

model = dict(
    _delete_=True,
    type='mmkd_ext.ClassificationDistiller',
    student=_base_.model,
    teacher='{{fileDirname}}/resnet18-w32_gray_digits.py',
    teacher_ckpt='work_dirs/demo/teacher/epoch_30.pth',
    distill_losses=dict(
        kd=dict(
            type='KDLoss',
            temperature=4.0,
            student_tap='head.fc',
            teacher_tap='head.fc')))
