# MCMI stage 2 on ImageNet with NKD (tau 1, gamma 1.5, as ../nkd/): any of our
# distillers takes the MCMI teacher.
_base_ = ['../nkd/nkd_resnet34_resnet18_8xb32_in1k.py']

model = dict(
    teacher_ckpt='work_dirs/mcmi_resnet34_8xb32_in1k/teacher_mcmi.pth')
