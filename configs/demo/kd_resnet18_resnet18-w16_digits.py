# Demo with vanilla KD (tau 4.0) instead of NKD, for the digits table.
_base_ = ['./nkd_resnet18_resnet18-w16_digits.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        kd=dict(
            type='KDLoss',
            temperature=4.0,
            student_tap='head.fc',
            teacher_tap='head.fc')))
