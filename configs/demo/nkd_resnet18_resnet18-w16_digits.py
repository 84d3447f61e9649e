# Demo distillation: the demo teacher (ResNet-18) into the 4x narrower demo
# student with NKD on the logits (tau 1.0, gamma 1.5), same schedule as the
# student trained alone. Train the teacher first (`make demo` does).
_base_ = ['./resnet18-w16_digits.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='mmkd_ext.ClassificationDistiller',
    student=_base_.model,
    teacher='{{fileDirname}}/resnet18_digits.py',
    teacher_ckpt='work_dirs/demo/teacher/epoch_8.pth',
    distill_losses=dict(
        nkd=dict(
            type='NKDLoss',
            temperature=1.0,
            gamma=1.5,
            student_tap='head.fc',
            teacher_tap='head.fc')))
