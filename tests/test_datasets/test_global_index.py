from mmengine.dataset import ConcatDataset
from mmengine.registry import DefaultScope

from tiny_data import make_tiny_data
from mmkd_ext.registry import DATASETS


def test_global_index_over_concat(tmp_path):
    make_tiny_data('imagenet', str(tmp_path), num_classes=2, num_train=3,
                   num_val=1)
    part = dict(type='ImageNet', data_root=str(tmp_path), split='train',
                classes=('c000', 'c001'), pipeline=[
                    dict(type='LoadImageFromFile'),
                    dict(type='PackInputs')])
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        concat = DATASETS.build(dict(type='ConcatDataset',
                                     datasets=[part, part]))
        wrapped = DATASETS.build(dict(type='mmkd_ext.GlobalIndexDataset',
                                      dataset=dict(type='ConcatDataset',
                                                   datasets=[part, part])))
    assert isinstance(concat, ConcatDataset) and len(wrapped) == 12
    local = [concat[i]['data_samples'].sample_idx for i in range(12)]
    assert local == list(range(6)) * 2  # the parts restart their index
    assert [wrapped[i]['data_samples'].sample_idx for i in range(12)] == \
        list(range(12))
    assert wrapped.metainfo['classes'] == ('c000', 'c001')
