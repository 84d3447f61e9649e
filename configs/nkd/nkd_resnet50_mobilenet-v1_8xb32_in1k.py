# NKD, ImageNet, ResNet-50 teacher -> MobileNetV1 student (tau 1.0, gamma 1.5,
# grad clip 5). mmpretrain has no MobileNetV1: the backbone is mmkd_ext's.
# Student schedule: as ResNet (100 epochs, SGD 0.1 at batch 256, wd 1e-4).
_base_ = ['mmpretrain::resnet/resnet18_8xb32_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

student = dict(
    type='ImageClassifier',
    backbone=dict(type='mmkd_ext.MobileNetV1'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=1024,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))
model = dict(
    _delete_=True,
    type='mmkd_ext.ClassificationDistiller',
    student=student,
    teacher='mmpretrain::resnet/resnet50_8xb32_in1k.py',
    # mmpretrain model zoo (configs/resnet/metafile.yml): 76.55 top-1
    teacher_ckpt=('https://download.openmmlab.com/mmclassification/v0/'
                  'resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth'),
    distill_losses=dict(
        nkd=dict(
            type='NKDLoss',
            temperature=1.0,
            gamma=1.5,
            student_tap='head.fc',
            teacher_tap='head.fc')))
optim_wrapper = dict(clip_grad=dict(max_norm=5, norm_type=2))
