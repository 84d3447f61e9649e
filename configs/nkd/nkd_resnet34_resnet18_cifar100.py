# NKD, CIFAR-100, ResNet-34 teacher -> ResNet-18 student (tau 3.0, gamma 3.5).
# Train the teacher first: tools/train.py configs/nkd/resnet34_1xb128_cifar100.py
_base_ = ['./resnet18_1xb128_cifar100.py']
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='mmkd_ext.ClassificationDistiller',
    student=_base_.model,
    teacher='{{fileDirname}}/resnet34_1xb128_cifar100.py',
    teacher_ckpt='work_dirs/resnet34_1xb128_cifar100/epoch_200.pth',
    distill_losses=dict(
        nkd=dict(
            type='NKDLoss',
            temperature=3.0,
            gamma=3.5,
            student_tap='head.fc',
            teacher_tap='head.fc')))
