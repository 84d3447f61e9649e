# DKD on the demo's digits at the authors' CIFAR-100 defaults (mdistiller:
# alpha 1.0, beta 8.0, T 4.0, the KD row's tau) and their warm-up: the loss
# ramps up over the first 20 / 240 of training, here 77 of the 920
# iterations (DistillLossScheduleHook, a linear ramp per iteration where
# mdistiller steps once per epoch). Unstable at the table's lr 0.02 (see the
# digits table of ../nkd/README.md).
_base_ = ['./dkd_resnet18-w32_lenet5_digits-5pct.py']

model = dict(distill_losses=dict(dkd=dict(beta=8.0, temperature=4.0)))
custom_hooks = [dict(type='mmkd_ext.DistillLossScheduleHook', warmup_iters=77)]
