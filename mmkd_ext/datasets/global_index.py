"""A dataset wrapper that numbers samples globally for per-sample state."""
from mmkd_ext.registry import DATASETS


@DATASETS.register_module()
class GlobalIndexDataset:
    """Sets each sample's ``sample_idx`` to its index in this dataset.

    mmengine datasets write their *own* index: ``ConcatDataset`` restarts it
    in every part and ``RepeatDataset`` repeats it, so per-sample state such
    as PS-KD's memory would mix samples. Wrap the outermost training dataset::

        train_dataloader = dict(dataset=dict(
            type='mmkd_ext.GlobalIndexDataset',
            dataset=dict(type='ConcatDataset', datasets=[...])))

    Args:
        dataset (dict | Dataset): the dataset to wrap.
    """

    def __init__(self, dataset):
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) \
            else dataset

    @property
    def metainfo(self):
        return self.dataset.metainfo

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, idx):
        data = self.dataset[idx]
        data['data_samples'].set_metainfo(dict(sample_idx=idx))
        return data
