# DIST on the demo's digits at the authors' CIFAR-100 setting
# (dist_cifar.yaml: kd 'dist_t4' = tau 4, beta = gamma = 1, KD loss weight
# 2; the KD row's tau). Unstable at the table's lr 0.02 (see the digits
# table of ../nkd/README.md).
_base_ = ['./dist_resnet18-w32_lenet5_digits-5pct.py']

model = dict(distill_losses=dict(dist=dict(temperature=4.0)))
