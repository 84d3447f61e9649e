# DIST (Huang et al., NeurIPS 2022), ImageNet, ResNet-34 teacher ->
# ResNet-18 student: the authors' setting (image_classification_sota
# configs/strategies/distill/resnet_dist.yaml: kd 'dist' = tau 1,
# beta = gamma = 1, KD loss weight 2, CE weight 1; 100 epochs, SGD 0.1 at
# batch 256, x0.1 every 30 epochs, wd 1e-4: the stock schedule). Same
# teacher, student and schedule as ../kd/ and ../nkd/.
_base_ = ['../nkd/nkd_resnet34_resnet18_8xb32_in1k.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        dist=dict(
            type='DISTLoss',
            beta=1.0,
            gamma=1.0,
            temperature=1.0,
            loss_weight=2.0,
            student_tap='head.fc',
            teacher_tap='head.fc')))
