# DIST (Huang et al., NeurIPS 2022), ImageNet, ResNet-50 teacher ->
# MobileNetV1 student: the authors' setting (the same resnet_dist.yaml:
# tau 1, beta = gamma = 1, KD loss weight 2). Same teacher, student and
# schedule as ../kd/kd_resnet50_mobilenet-v1_8xb32_in1k.py, without the
# gradient clipping the NKD recipe adds (the authors' recipe has none).
_base_ = ['../nkd/nkd_resnet50_mobilenet-v1_8xb32_in1k.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        dist=dict(
            type='DISTLoss',
            beta=1.0,
            gamma=1.0,
            temperature=1.0,
            loss_weight=2.0,
            student_tap='head.fc',
            teacher_tap='head.fc')))
optim_wrapper = dict(clip_grad=None)
