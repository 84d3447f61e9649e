# NKD, ImageNet, ResNet-34 teacher -> ResNet-18 student (tau 1.0, gamma 1.5).
# Student schedule: the stock one (100 epochs, SGD 0.1 at batch 256, wd 1e-4,
# x0.1 at 30/60/90).
_base_ = ['mmpretrain::resnet/resnet18_8xb32_in1k.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='mmkd_ext.ClassificationDistiller',
    student=_base_.model,
    teacher='mmpretrain::resnet/resnet34_8xb32_in1k.py',
    # mmpretrain model zoo (configs/resnet/metafile.yml): 73.62 top-1
    teacher_ckpt=('https://download.openmmlab.com/mmclassification/v0/'
                  'resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth'),
    distill_losses=dict(
        nkd=dict(
            type='NKDLoss',
            temperature=1.0,
            gamma=1.5,
            student_tap='head.fc',
            teacher_tap='head.fc')))
