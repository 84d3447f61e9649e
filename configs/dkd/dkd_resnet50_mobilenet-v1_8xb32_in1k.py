# DKD (Zhao et al., CVPR 2022), ImageNet, ResNet-50 teacher -> MobileNetV1
# student: the authors' setting (mdistiller configs/imagenet/r50_mv1/dkd.yaml:
# alpha 1.0, beta 2.0, T 1.0, CE weight 1.0, no warm-up). Same teacher,
# student and schedule as ../kd/kd_resnet50_mobilenet-v1_8xb32_in1k.py,
# without the gradient clipping the NKD recipe adds (mdistiller has none).
_base_ = ['../nkd/nkd_resnet50_mobilenet-v1_8xb32_in1k.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        dkd=dict(
            type='DKDLoss',
            alpha=1.0,
            beta=2.0,
            temperature=1.0,
            student_tap='head.fc',
            teacher_tap='head.fc')))
optim_wrapper = dict(clip_grad=None)
