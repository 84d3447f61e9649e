# ACAM-KD on the 5 FPN levels of a 256-channel mmdet neck: one STCA-FF +
# ASCM module per level (M = 6 masks), alpha = lambda_div = 1 (methods.md
# section 1). Mixed into the detection configs of this folder next to the
# student's mmdet config; they refer to these variables as _base_.<name>.
custom_imports = dict(imports=['mmkd_ext'], allow_failed_imports=False)

acam_fpn_losses = dict(
    acam=dict(
        type='LevelwiseLoss',
        num_levels=5,
        level_loss=dict(
            type='ACAMLoss',
            student_channels=256,
            teacher_channels=256,
            num_masks=6,
            alpha=1.0,
            lambda_div=1.0),
        student_tap='neck',
        teacher_tap='neck'))

# the spatial masks of every level over a training image, now and then
acam_mask_hook = dict(type='mmkd_ext.MaskVisualizationHook', interval=2000)
