# MCMI stage 1 on the digits: fine-tune the CE-trained demo teacher
# (./resnet18-w32_gray_digits.py) with CE - 0.25 * CMI for 15 epochs (half
# its training), SGD lr 0.05 (half the training lr, as the official
# scripts), cosine, centroids from one eval-mode pass before training.
# `load_from` is the stage-0 teacher; see README.md for the whole recipe.
_base_ = ['./resnet18-w32_gray_digits.py']

model = dict(
    head=dict(
        type='mmkd_ext.MCMIHead',
        loss=dict(_delete_=True, type='mmkd_ext.MCMILoss', lambda_cmi=0.25)))
custom_hooks = [dict(type='mmkd_ext.MCMICentroidHook', model_mode='eval')]
load_from = 'work_dirs/mcmi_digits/teacher_ce/epoch_30.pth'

optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = dict(T_max=15)
train_cfg = dict(max_epochs=15, val_interval=15)
default_hooks = dict(checkpoint=dict(interval=15))
