# KD from a cached teacher in the demo's regime: as
# ../demo/kd_resnet18-w32_lenet5_digits-5pct.py, but the teacher is not
# built. Every training digit has K = 50 fixed random shifts (views: the
# random crop of 32 px with 3 px of padding has 49 distinct shifts, so the
# views keep the augmentation of online KD); the student trains on one of
# them at each load, and the teacher's soft labels on that view come from
# the cache:
#   tools/cache_teacher.py configs/demo/resnet18-w32_gray_digits.py \
#       work_dirs/demo/teacher/epoch_30.pth work_dirs/cached_kd/digits_k50 \
#       --crops-per-image 50 --data-config THIS_CONFIG
_base_ = ['../demo/kd_resnet18-w32_lenet5_digits-5pct.py']

views = dict(
    type='mmkd_ext.ReplayedAugment',
    crops_per_image=50,
    seed=0,
    transforms=[dict(type='RandomCrop', crop_size=32, padding=3)],
    teacher_cache='work_dirs/cached_kd/digits_k50')
train_dataloader = dict(
    dataset=dict(
        dataset=dict(pipeline=[
            dict(type='LoadImageFromFile', color_type='grayscale'), views,
            dict(type='PackInputs',
                 meta_keys=('sample_idx', 'img_path', 'teacher_logits'))
        ])))
model = dict(teacher='cached', teacher_ckpt=None)
