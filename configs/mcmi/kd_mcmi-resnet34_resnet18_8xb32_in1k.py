# MCMI stage 2 on ImageNet: KD (tau 1, as ../kd/) from the MCMI ResNet-34,
# exported with tools/export_student.py, into ResNet-18 with the stock
# student schedule.
_base_ = ['../kd/kd_resnet34_resnet18_8xb32_in1k.py']

model = dict(
    teacher_ckpt='work_dirs/mcmi_resnet34_8xb32_in1k/teacher_mcmi.pth')
