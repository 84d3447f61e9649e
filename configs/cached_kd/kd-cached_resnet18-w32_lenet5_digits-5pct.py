# KD from a cached teacher in the demo's regime: as
# ../demo/kd_resnet18-w32_lenet5_digits-5pct.py, but the teacher is not
# built. Every training digit has K = 10 fixed random shifts (views); the
# student trains on one of them at each load, and the teacher's soft labels
# on that view come from the cache:
#   tools/cache_teacher.py configs/demo/resnet18-w32_gray_digits.py \
#       work_dirs/demo/teacher/epoch_30.pth work_dirs/cached_kd/digits_k10 \
#       --crops-per-image 10 --data-config THIS_CONFIG
_base_ = ['../demo/kd_resnet18-w32_lenet5_digits-5pct.py']

views = dict(
    type='mmkd_ext.ReplayedAugment',
    crops_per_image=10,
    seed=0,
    transforms=[dict(type='RandomCrop', crop_size=32, padding=3)],
    teacher_cache='work_dirs/cached_kd/digits_k10')
train_dataloader = dict(
    dataset=dict(
        dataset=dict(pipeline=[
            dict(type='LoadImageFromFile', color_type='grayscale'), views,
            dict(type='PackInputs',
                 meta_keys=('sample_idx', 'img_path', 'teacher_logits'))
        ])))
model = dict(teacher='cached', teacher_ckpt=None)
