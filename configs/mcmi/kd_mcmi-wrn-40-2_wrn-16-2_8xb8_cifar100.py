# MCMI stage 2, WRN-40-2 -> WRN-16-2 (see
# kd_mcmi-resnet56_resnet20_8xb8_cifar100.py).
_base_ = ['./kd_mcmi-resnet56_resnet20_8xb8_cifar100.py']

model = dict(
    student=dict(
        backbone=dict(
            _delete_=True, type='mmkd_ext.WideResNet', depth=16,
            widen_factor=2),
        head=dict(in_channels=128)),
    teacher='{{fileDirname}}/wrn-40-2_8xb8_cifar100.py',
    teacher_ckpt='work_dirs/mcmi_wrn-40-2_8xb8_cifar100/teacher_mcmi.pth')
