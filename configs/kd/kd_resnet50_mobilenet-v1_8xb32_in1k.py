# Vanilla KD (Hinton et al.), tau 1.0: the same teacher, student and schedule
# as ../nkd/nkd_resnet50_mobilenet-v1_8xb32_in1k.py, with the NKD loss replaced by KD.
_base_ = ['../nkd/nkd_resnet50_mobilenet-v1_8xb32_in1k.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        kd=dict(
            type='KDLoss',
            temperature=1.0,
            student_tap='head.fc',
            teacher_tap='head.fc')))
