"""Independent formulas of the losses, written from methods.md, for the
tests to compare the implementations with."""
import math

import torch
import torch.nn.functional as F


def kd_reference(student_logits, teacher_logits, tau=4.0):
    """KL(softmax(t / tau) || softmax(s / tau)) * tau^2, summed over dim 1
    and averaged over the rest."""
    p_t = (teacher_logits / tau).softmax(1)
    return ((p_t * (p_t.log() - (student_logits / tau).log_softmax(1)))
            .sum(1).mean() * tau**2)


def nkd_reference(s, t, y, tau, gamma):
    """Per-sample loops over methods.md section 2.1."""
    total = 0
    for i in range(s.shape[0]):
        S, T = F.softmax(s[i], 0), F.softmax(t[i], 0)
        target = -T[y[i]] * S[y[i]].log()
        St, Tt = F.softmax(s[i] / tau, 0), F.softmax(t[i] / tau, 0)
        non = 0
        for c in range(s.shape[1]):
            if c != y[i]:
                non -= (Tt[c] / (1 - Tt[y[i]])) * math.log(
                    St[c] / (1 - St[y[i]]))
        total += target + gamma * tau**2 * non
    return total / s.shape[0]


def uskd_reference(loss, z, feat, labels, use_logprob=False):
    """Per-sample loops over methods.md section 2.2. ``labels``: (B,) class
    indices, or (B, C) mixup scores whose two largest entries (y_k, v_k)
    each give a target term and leave the non-target set; the ranking's
    normalisers are 1 minus the sum over those labels (1 - W_y1 - W_y2,
    as the authors' code, yzd-v/cls_KD branch 1.0, dis_losses/uskd.py)."""
    B, C = z.shape
    if labels.dim() == 1:
        labels = F.one_hot(labels, C).float()
    values, index = labels.topk(2, dim=1)
    S = F.softmax(z, 1)
    W = F.softmax(loss.weak_head(feat), 1)
    mean_sq = [(S[torch.arange(B), index[:, k]]**2).mean() for k in (0, 1)]
    target = non = weak = 0
    for b in range(B):
        smooth = 0.9 * labels[b] + 0.1 / C
        weak -= loss.mu * (smooth * W[b].log()).sum()
        label_set = [int(index[b, k]) for k in (0, 1) if values[b, k] > 0]
        for k, y in enumerate(label_set):
            p_y = S[b, y]**2 + values[b, k] - mean_sq[k]
            target -= p_y * S[b, y].log()
        w_labels = sum(W[b, y] for y in label_set)
        if use_logprob:
            logS = S[b].log()
            R = W[b] / (1 - w_labels) + logS / (
                1 - sum(logS[y] for y in label_set))
        else:
            R = W[b] / (1 - w_labels) + S[b] / (
                1 - sum(S[b, y] for y in label_set))
        order = sorted(range(C), key=lambda i: -float(R[i]))
        others = [c for c in range(C) if c not in label_set]
        zipf = {c: 1.0 / (order.index(c) + 1) for c in others}
        total = sum(zipf.values())
        non_s = F.softmax(z[b, others], 0)
        for k, c in enumerate(others):
            non -= zipf[c] / total * math.log(float(non_s[k]))
    return (loss.alpha * target + loss.beta * non + weak) / B
