# USKD on the demo student (no teacher), same data, schedule and seed as the
# student trained alone. LeNet-5 has a single output, so the weak head reads
# the pooled final feature (120 channels, mid_index=-1) instead of a middle
# stage; alpha 0.1, beta 0.1, mu 0.1 (the paper's CIFAR-100 setting).
_base_ = ['./lenet5_digits-5pct.py']

model = dict(
    head=dict(
        type='mmkd_ext.USKDHead',
        mid_index=-1,
        uskd_loss=dict(in_channels=120, alpha=0.1, beta=0.1, mu=0.1)))
