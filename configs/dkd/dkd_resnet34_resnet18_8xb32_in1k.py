# DKD (Zhao et al., CVPR 2022), ImageNet, ResNet-34 teacher -> ResNet-18
# student: the authors' setting (mdistiller configs/imagenet/r34_r18/dkd.yaml:
# alpha 1.0, beta 0.5, T 1.0, CE weight 1.0, WARMUP 1 = no warm-up since
# their epochs count from 1). Same teacher, student and schedule as
# ../kd/kd_resnet34_resnet18_8xb32_in1k.py and ../nkd/: the stock 100 epochs,
# SGD 0.1 at batch 256 (the authors: 0.2 at batch 512), x0.1 at 30/60/90.
_base_ = ['../nkd/nkd_resnet34_resnet18_8xb32_in1k.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        dkd=dict(
            type='DKDLoss',
            alpha=1.0,
            beta=0.5,
            temperature=1.0,
            student_tap='head.fc',
            teacher_tap='head.fc')))
