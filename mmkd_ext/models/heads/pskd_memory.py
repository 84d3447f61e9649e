"""PS-KD's per-sample memory of the previous epoch's predictions.

Rows are keyed by the dataset's ``sample_idx``. Three storage modes:

* ``fp32``: (N, C) float32, the official behaviour (4 C bytes a sample);
* ``fp16``: (N, C) float16 (2 C bytes a sample);
* ``topk``: the k most probable classes (int16 indices) and their fp16
  probabilities; the remaining mass is spread uniformly over the other
  C - k classes on reading (4 k bytes a sample).

A row never written reads as the one-hot label, so epoch 0 trains on hard
targets (methods.md section 5.1). The rows are buffers: they are saved in
checkpoints and restored on resume; the size is set by ``allocate`` (the
PS-KD hook does it with the training set's length) or by the checkpoint.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

MODES = ('fp32', 'fp16', 'topk')


def bytes_per_sample(mode, num_classes, topk=24):
    """Memory of one sample's row in ``mode``."""
    if mode == 'fp32':
        return 4 * num_classes
    if mode == 'fp16':
        return 2 * num_classes
    if mode == 'topk':
        return topk * (2 + 2)  # int16 index + fp16 probability
    raise ValueError(f'memory mode must be one of {MODES}, got {mode!r}')


class PredictionMemory(nn.Module):
    """Per-sample class distributions from the previous epoch.

    Args:
        num_classes (int): C.
        mode (str): ``'fp32'``, ``'fp16'`` or ``'topk'``.
        topk (int): k of the ``topk`` mode. Defaults to 24 (96 bytes).
    """
    # state of training, left out of the exported student
    training_only = True


    def __init__(self, num_classes, mode='fp32', topk=24):
        super().__init__()
        bytes_per_sample(mode, num_classes, topk)  # validates mode
        if mode == 'topk' and not 0 < topk < num_classes:
            raise ValueError(f'topk must be in [1, {num_classes - 1}], got '
                             f'{topk}')
        if num_classes > 32767 and mode == 'topk':
            raise ValueError('topk mode stores int16 class indices: at most '
                             '32767 classes')
        self.num_classes, self.mode, self.topk = num_classes, mode, topk
        # alpha of the current epoch, saved with the rows
        self.register_buffer('alpha', torch.zeros(()))
        self.allocate(0)

    def allocate(self, num_samples):
        """(Re)size to ``num_samples`` empty rows."""
        if self.mode == 'topk':
            self.register_buffer(
                'indices', torch.zeros(num_samples, self.topk,
                                       dtype=torch.int16))
            self.register_buffer(
                'probs', torch.zeros(num_samples, self.topk,
                                     dtype=torch.float16))
        else:
            dtype = torch.float32 if self.mode == 'fp32' else torch.float16
            self.register_buffer(
                'probs', torch.zeros(num_samples, self.num_classes,
                                     dtype=dtype))

    def __len__(self):
        return self.probs.shape[0]

    def _check(self, sample_idx):
        if len(self) == 0:
            raise RuntimeError(
                'the PS-KD memory is not allocated: add '
                "dict(type='mmkd_ext.PSKDHook') to custom_hooks")
        low, high = int(sample_idx.min()), int(sample_idx.max())
        if low < 0 or high >= len(self):
            raise IndexError(
                f'sample_idx {low if low < 0 else high} is outside the PS-KD '
                f'memory of {len(self)} samples (the training set size); '
                f'with dataset wrappers use mmkd_ext.GlobalIndexDataset')

    def read(self, sample_idx, gt_label):
        """(B, C) float32 previous predictions; one-hot ``gt_label`` (B,)
        for rows never written."""
        self._check(sample_idx)
        rows = sample_idx.to(self.probs.device)
        probs = self.probs[rows].float()
        if self.mode == 'topk':
            mass = probs.sum(1, keepdim=True)
            dense = ((1 - mass) / (self.num_classes - self.topk)).expand(
                -1, self.num_classes).clone()
            dense.scatter_(1, self.indices[rows].long(), probs)
            probs = dense
        else:
            mass = probs.sum(1, keepdim=True)
        one_hot = F.one_hot(gt_label.to(probs.device),
                            self.num_classes).float()
        return torch.where(mass > 0, probs, one_hot)

    def write(self, sample_idx, probs):
        """Store (B, C) predictions ``probs`` (detached) for ``sample_idx``."""
        self._check(sample_idx)
        rows = sample_idx.to(self.probs.device)
        probs = probs.detach().to(self.probs.device)
        if self.mode == 'topk':
            values, index = probs.float().topk(self.topk, dim=1)
            self.probs[rows] = values.to(torch.float16)
            self.indices[rows] = index.to(torch.int16)
        else:
            self.probs[rows] = probs.to(self.probs.dtype)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # a checkpoint decides the size: resume before the hook allocates
        key = prefix + 'probs'
        if key in state_dict and state_dict[key].shape[0] != len(self):
            self.allocate(state_dict[key].shape[0])
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
