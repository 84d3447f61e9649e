# Demo distillation with NKD (tau 1, gamma 1.5, the paper's settings): as
# kd_resnet18-w32_lenet5_digits-5pct.py with the NKD loss.
_base_ = ['./kd_resnet18-w32_lenet5_digits-5pct.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        nkd=dict(
            type='NKDLoss',
            temperature=1.0,
            gamma=1.5,
            student_tap='head.fc',
            teacher_tap='head.fc')))
