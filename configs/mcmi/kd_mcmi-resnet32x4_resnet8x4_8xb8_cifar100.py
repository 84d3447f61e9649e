# MCMI stage 2, resnet32x4 -> resnet8x4 (see
# kd_mcmi-resnet56_resnet20_8xb8_cifar100.py).
_base_ = ['./kd_mcmi-resnet56_resnet20_8xb8_cifar100.py']

model = dict(
    student=dict(
        backbone=dict(depth=8, widths=(32, 64, 128, 256)),
        head=dict(in_channels=256)),
    teacher='{{fileDirname}}/resnet32x4_8xb8_cifar100.py',
    teacher_ckpt='work_dirs/mcmi_resnet32x4_8xb8_cifar100/teacher_mcmi.pth')
