# HARD toy with a mirrored translation distribution: as
# hard-shift_cnn_mlp_digits20.py, but each sampled shift's signs are flipped
# at random (symmetric=True), so the learned hard shifts cover all four
# directions instead of settling on one.
_base_ = ['./hard-shift_cnn_mlp_digits20.py']

model = dict(augmentor=dict(symmetric=True))
