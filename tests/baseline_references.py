"""Plain-torch references of the baseline losses, written for the tests
from reading the authors' published implementations (our own code, in the
authors' formulation: their masks, reductions and orders of operations,
not ours). Each function names the file and commit it was read from.

- DKD: megvii-research/mdistiller@a08d46f10d6102bd6e3f258ca5ac880b020ea259
  mdistiller/distillers/DKD.py
- DIST: hunto/image_classification_sota
  @6f7a70a1dd57fd88413d83909d3d53243068f701 lib/models/losses/dist_kd.py
  (the classification submodule of
  hunto/DIST_KD@2418f18b1fedd7c2646a7b1b9a27d5c674c2170b, whose
  segmentation/losses/dist_kd.py flattens dense logits)
- CWD: irfanICMLL/TorchDistiller@78bac7cbe50634e0b880ef37eb8cd7e2560806e4
  SemSeg-distill/utils/criterion.py (CriterionCWD, 'channel', 'kl'), and
  pppppM/mmdetection-distiller@7a8a1306c35bd0521946870179f0c475db4cacd8
  mmdet/distillation/losses/cwd.py (the detection release)
- PKD: open-mmlab/mmrazor@90c7af1fdf35a606a2fceaaeb4b6be2f0dac4eb7
  mmrazor/models/losses/pkd_loss.py
- MGD: yzd-v/MGD@2c9da0b28625eb948db57afc02c824452c3910fe
  det/mmdet/distillation/losses/mgd.py
- FGD: yzd-v/FGD@c03a6cf3b3cb3cbfd5554dbf4766e7135747d22d
  mmdet/distillation/losses/fgd.py
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


# -- DKD ----------------------------------------------------------------------
def dkd_reference(logits_s, logits_t, target, alpha, beta, tau):
    """Binary (target, rest) probabilities from summed masked softmaxes,
    ``log`` of them, ``kl_div(..., reduction='sum')``; the non-target part
    by subtracting 1000 from the target logit after dividing by tau."""
    gt = torch.zeros_like(logits_s).scatter_(1, target[:, None], 1).bool()
    other = ~gt

    def binary(probs):
        return torch.cat([(probs * gt).sum(1, keepdim=True),
                          (probs * other).sum(1, keepdim=True)], dim=1)

    b_s = binary(F.softmax(logits_s / tau, dim=1))
    b_t = binary(F.softmax(logits_t / tau, dim=1))
    batch = target.shape[0]
    tckd = F.kl_div(torch.log(b_s), b_t, reduction='sum') * tau**2 / batch
    nt = F.softmax(logits_t / tau - 1000.0 * gt, dim=1)
    log_ns = F.log_softmax(logits_s / tau - 1000.0 * gt, dim=1)
    nckd = F.kl_div(log_ns, nt, reduction='sum') * tau**2 / batch
    return alpha * tckd + beta * nckd


# -- DIST ---------------------------------------------------------------------
def _cosine(a, b, eps=1e-8):
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1) + eps)


def _pearson(a, b, eps=1e-8):
    return _cosine(a - a.mean(1)[:, None], b - b.mean(1)[:, None], eps)


def dist_reference(z_s, z_t, beta, gamma, tau):
    """Inter: 1 - mean Pearson of the rows; intra: of the columns (the
    transposed matrices); dense logits as ``transpose(1, 3)`` rows."""
    if z_s.dim() == 4:
        z_s = z_s.transpose(1, 3).reshape(-1, z_s.shape[1])
        z_t = z_t.transpose(1, 3).reshape(-1, z_t.shape[1])
    y_s, y_t = (z_s / tau).softmax(1), (z_t / tau).softmax(1)
    inter = 1 - _pearson(y_s, y_t).mean()
    intra = 1 - _pearson(y_s.transpose(0, 1), y_t.transpose(0, 1)).mean()
    return beta * tau**2 * inter + gamma * tau**2 * intra


# -- CWD ----------------------------------------------------------------------
def cwd_reference(preds_s, preds_t, tau):
    """The segmentation release: per channel a softmax over (n, c, h*w),
    ``KLDivLoss(reduction='sum')`` of the logs, / (n * c), * tau^2."""
    n, c = preds_s.shape[:2]
    norm_s = (preds_s / tau).reshape(n, c, -1).softmax(dim=-1)
    norm_t = (preds_t.detach() / tau).reshape(n, c, -1).softmax(dim=-1)
    loss = nn.KLDivLoss(reduction='sum')(norm_s.log(), norm_t)
    return loss / (n * c) * tau**2


def cwd_detection_reference(preds_s, preds_t, tau):
    """The detection release: the soft cross entropy of the rows of the
    (N*C, W*H) views, / (C * N), * tau^2 (no teacher-entropy term)."""
    n, c, h, w = preds_s.shape
    p_t = F.softmax(preds_t.reshape(-1, w * h) / tau, dim=1)
    log_s = torch.nn.LogSoftmax(dim=1)(preds_s.reshape(-1, w * h) / tau)
    return torch.sum(-p_t * log_s) * tau**2 / (c * n)


# -- PKD ----------------------------------------------------------------------
def _pkd_norm(feat):
    n, c, h, w = feat.shape
    flat = feat.permute(1, 0, 2, 3).reshape(c, -1)
    flat = (flat - flat.mean(dim=-1, keepdim=True)) / (
        flat.std(dim=-1, keepdim=True) + 1e-6)
    return flat.reshape(c, n, h, w).permute(1, 0, 2, 3)


def pkd_reference(preds_s, preds_t, loss_weight=1.0):
    """Per level (resizing the student when the heights differ): MSE of
    the channel-normalised maps / 2; summed over levels."""
    loss = 0.
    for s, t in zip(preds_s, preds_t):
        if s.shape[2] != t.shape[2]:
            s = F.interpolate(s, t.shape[2:], mode='bilinear')
        loss += F.mse_loss(_pkd_norm(s), _pkd_norm(t)) / 2
    return loss * loss_weight


# -- MGD ----------------------------------------------------------------------
class MGDLevelReference(nn.Module):
    """One level of MGD: optional align conv, the generation block, a
    uniform draw ``rand((N, 1, H, W))`` thresholded at ``1 - lambda``."""

    def __init__(self, student_channels, teacher_channels, alpha, lambda_):
        super().__init__()
        self.alpha, self.lambda_ = alpha, lambda_
        self.align = nn.Conv2d(student_channels, teacher_channels, 1) \
            if student_channels != teacher_channels else None
        self.generation = nn.Sequential(
            nn.Conv2d(teacher_channels, teacher_channels, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(teacher_channels, teacher_channels, 3, padding=1))

    def forward(self, preds_s, preds_t):
        if self.align is not None:
            preds_s = self.align(preds_s)
        n, _, h, w = preds_t.shape
        mat = torch.rand((n, 1, h, w))
        mat = torch.where(mat > 1 - self.lambda_, 0, 1).to(preds_s)
        new_fea = self.generation(torch.mul(preds_s, mat))
        return nn.MSELoss(reduction='sum')(new_fea, preds_t) / n * self.alpha


# -- FGD ----------------------------------------------------------------------
class FGDLevelReference(nn.Module):
    """One level of FGD: the masks built box by box with slices, features
    multiplied by square roots of the weights, the GcBlocks as in the
    release (LayerNorm over (C/2, 1, 1))."""

    def __init__(self, student_channels, teacher_channels, temp, alpha,
                 beta, gamma, lambda_):
        super().__init__()
        self.temp = temp
        self.alpha, self.beta, self.gamma, self.lambda_ = \
            alpha, beta, gamma, lambda_
        self.align = nn.Conv2d(student_channels, teacher_channels, 1) \
            if student_channels != teacher_channels else None
        c = teacher_channels
        self.conv_mask_s = nn.Conv2d(c, 1, kernel_size=1)
        self.conv_mask_t = nn.Conv2d(c, 1, kernel_size=1)

        def channel_add():
            return nn.Sequential(
                nn.Conv2d(c, c // 2, kernel_size=1),
                nn.LayerNorm([c // 2, 1, 1]), nn.ReLU(inplace=True),
                nn.Conv2d(c // 2, c, kernel_size=1))

        self.channel_add_conv_s = channel_add()
        self.channel_add_conv_t = channel_add()

    def attention(self, preds):
        n, c, h, w = preds.shape
        value = torch.abs(preds)
        fea_map = value.mean(axis=1, keepdim=True)
        s_att = (h * w * F.softmax((fea_map / self.temp).view(n, -1),
                                   dim=1)).view(n, h, w)
        channel_map = value.mean(axis=2, keepdim=False).mean(
            axis=2, keepdim=False)
        c_att = c * F.softmax(channel_map / self.temp, dim=1)
        return s_att, c_att

    def masks(self, s_att, gt_bboxes, img_shapes):
        n, h, w = s_att.shape
        mask_fg = torch.zeros_like(s_att)
        mask_bg = torch.ones_like(s_att)
        for i in range(n):
            boxes = torch.ones_like(gt_bboxes[i])
            boxes[:, 0] = gt_bboxes[i][:, 0] / img_shapes[i][1] * w
            boxes[:, 2] = gt_bboxes[i][:, 2] / img_shapes[i][1] * w
            boxes[:, 1] = gt_bboxes[i][:, 1] / img_shapes[i][0] * h
            boxes[:, 3] = gt_bboxes[i][:, 3] / img_shapes[i][0] * h
            wmin = torch.floor(boxes[:, 0]).int()
            wmax = torch.ceil(boxes[:, 2]).int()
            hmin = torch.floor(boxes[:, 1]).int()
            hmax = torch.ceil(boxes[:, 3]).int()
            area = 1.0 / (hmax.view(1, -1) + 1 - hmin.view(1, -1)) / (
                wmax.view(1, -1) + 1 - wmin.view(1, -1))
            for j in range(len(gt_bboxes[i])):
                region = mask_fg[i][hmin[j]:hmax[j] + 1, wmin[j]:wmax[j] + 1]
                mask_fg[i][hmin[j]:hmax[j] + 1, wmin[j]:wmax[j] + 1] = \
                    torch.maximum(region, area[0][j].to(region))
            mask_bg[i] = torch.where(mask_fg[i] > 0, 0, 1)
            if torch.sum(mask_bg[i]):
                mask_bg[i] /= torch.sum(mask_bg[i])
        return mask_fg, mask_bg

    def context(self, x, conv_mask, channel_add):
        batch, channel, width, height = x.size()
        input_x = x.view(batch, channel, height * width).unsqueeze(1)
        mask = conv_mask(x).view(batch, 1, height * width)
        mask = F.softmax(mask, dim=2).unsqueeze(-1)
        pooled = torch.matmul(input_x, mask).view(batch, channel, 1, 1)
        return x + channel_add(pooled)

    def forward(self, preds_s, preds_t, gt_bboxes, img_shapes):
        """The four weighted terms of the level, and their sum."""
        if self.align is not None:
            preds_s = self.align(preds_s)
        s_t, c_t = self.attention(preds_t)
        s_s, c_s = self.attention(preds_s)
        mask_fg, mask_bg = self.masks(s_t, gt_bboxes, img_shapes)
        mse = nn.MSELoss(reduction='sum')
        weight_t = torch.sqrt(s_t[:, None]) * torch.sqrt(c_t[:, :, None, None])
        fea_t, fea_s = preds_t * weight_t, preds_s * weight_t
        n = len(preds_s)
        fg = mse(fea_s * torch.sqrt(mask_fg[:, None]),
                 fea_t * torch.sqrt(mask_fg[:, None])) / n
        bg = mse(fea_s * torch.sqrt(mask_bg[:, None]),
                 fea_t * torch.sqrt(mask_bg[:, None])) / n
        at = torch.sum(torch.abs(c_s - c_t)) / n + \
            torch.sum(torch.abs(s_s - s_t)) / n
        out_s = self.context(preds_s, self.conv_mask_s,
                             self.channel_add_conv_s)
        out_t = self.context(preds_t, self.conv_mask_t,
                             self.channel_add_conv_t)
        gl = mse(out_s, out_t) / n
        return (self.alpha * fg + self.beta * bg + self.gamma * at +
                self.lambda_ * gl)
