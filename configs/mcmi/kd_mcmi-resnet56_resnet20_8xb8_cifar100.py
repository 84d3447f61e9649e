# MCMI stage 2: KD (tau 4, CE weight 0.1, KD weight 0.9) from the MCMI
# resnet56 into resnet20, the student's own 240-epoch schedule. The teacher
# checkpoint is the stage-1 one exported with tools/export_student.py; give
# the stage-0 checkpoint instead for the CE-teacher baseline.
_base_ = ['./resnet20_8xb8_cifar100.py']

model = dict(
    _delete_=True,
    type='mmkd_ext.ClassificationDistiller',
    student=dict(
        _base_.model,
        head=dict(
            _base_.model.head,
            loss=dict(type='CrossEntropyLoss', loss_weight=0.1))),
    teacher='{{fileDirname}}/resnet56_8xb8_cifar100.py',
    teacher_ckpt='work_dirs/mcmi_resnet56_8xb8_cifar100/teacher_mcmi.pth',
    distill_losses=dict(
        kd=dict(
            type='KDLoss',
            temperature=4.0,
            loss_weight=0.9,
            student_tap='head.fc',
            teacher_tap='head.fc')))
