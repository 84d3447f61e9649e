# NKD, ImageNet, ResNet-34 -> ResNet-18 from a cached teacher: the config of
# ../nkd/nkd_resnet34_resnet18_8xb32_in1k.py with the teacher's soft labels
# read from a cache of K = 10 fixed crops and flips per image (FKD's
# protocol, Shen and Xing, ECCV 2022) instead of a teacher forward:
#   tools/cache_teacher.py mmpretrain::resnet/resnet34_8xb32_in1k.py \
#       RESNET34_CKPT work_dirs/cached_kd/in1k_resnet34_k10 \
#       --crops-per-image 10 --topk 10 --data-config THIS_CONFIG
# (top-10 of 1000 classes: 400 bytes per image). The student sees one of the
# 10 views of each image per epoch.
_base_ = ['../nkd/nkd_resnet34_resnet18_8xb32_in1k.py']

views = dict(
    type='mmkd_ext.ReplayedAugment',
    crops_per_image=10,
    seed=0,
    transforms=[
        dict(type='RandomResizedCrop', scale=224),
        dict(type='RandomFlip', prob=0.5, direction='horizontal')
    ],
    teacher_cache='work_dirs/cached_kd/in1k_resnet34_k10')
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='LoadImageFromFile'), views,
        dict(type='PackInputs',
             meta_keys=('sample_idx', 'img_path', 'teacher_logits'))
    ]))
model = dict(teacher='cached', teacher_ckpt=None)
