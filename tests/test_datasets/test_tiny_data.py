import hashlib
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from tiny_data import (COCO_CATEGORIES, OutputDirError,
                                         make_tiny_data)


def tree_digest(root):
    digest = hashlib.sha256()
    for dirpath, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = osp.join(dirpath, name)
            digest.update(osp.relpath(path, root).encode())
            with open(path, 'rb') as f:
                digest.update(f.read())
    return digest.hexdigest()


@pytest.mark.parametrize('kind', ['imagenet', 'coco', 'cityscapes'])
def test_synthetic_data_is_deterministic_per_seed(tmp_path, kind):
    make_tiny_data(kind, str(tmp_path / 'a'), seed=3)
    make_tiny_data(kind, str(tmp_path / 'b'), seed=3)
    make_tiny_data(kind, str(tmp_path / 'c'), seed=4)
    assert tree_digest(tmp_path / 'a') == tree_digest(tmp_path / 'b')
    assert tree_digest(tmp_path / 'a') != tree_digest(tmp_path / 'c')


def read_list(path):
    with open(path) as f:
        return [line.split() for line in f if line.strip()]


def test_imagenet_layout_and_class_signal(tmp_path):
    root = tmp_path / 'imnet'
    make_tiny_data('imagenet', str(root), num_classes=3, num_train=5,
                   num_val=2)
    train = read_list(root / 'meta' / 'train.txt')
    val = read_list(root / 'meta' / 'val.txt')
    assert len(train) == 15 and len(val) == 6
    for rel, label in train:
        assert rel.startswith(f'c{int(label):03d}/')
        assert cv2.imread(str(root / 'train' / rel)).shape == (32, 32, 3)
    for rel, _ in val:
        assert osp.isfile(root / 'val' / rel)
    # Each class has its own colour: the mean colour of the object pixels
    # (the background is dark noise, < 90 per channel) separates classes.
    means = {}
    for rel, label in train:
        img = cv2.imread(str(root / 'train' / rel)).reshape(-1, 3)
        means.setdefault(label, []).append(img[img.max(1) > 100].mean(0))
    centres = {k: np.mean(v, 0) for k, v in means.items()}
    assert min(np.linalg.norm(centres[a] - centres[b])
               for a in centres for b in centres if a < b) > 50


def test_digits_are_real_and_split_stratified(tmp_path):
    root = tmp_path / 'digits'
    make_tiny_data('digits', str(root))
    train = read_list(root / 'meta' / 'train.txt')
    val = read_list(root / 'meta' / 'val.txt')
    assert (len(train), len(val)) == (1437, 360)
    counts = np.bincount([int(label) for _, label in val], minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37
    img = cv2.imread(str(root / 'val' / val[0][0]), cv2.IMREAD_GRAYSCALE)
    assert img.shape == (32, 32) and img.max() > 200 and img.min() < 20
    # the held-out part of train, for choosing settings
    fit = read_list(root / 'meta' / 'fit.txt')
    holdout = read_list(root / 'meta' / 'holdout.txt')
    assert (len(fit), len(holdout)) == (1149, 288)
    assert sorted(fit + holdout) == sorted(train)
    counts = np.bincount([int(label) for _, label in holdout], minlength=10)
    assert counts.min() >= 27 and counts.max() <= 30


def test_coco_annotations_match_drawn_objects(tmp_path):
    root = tmp_path / 'coco'
    make_tiny_data('coco', str(root), num_train=6, num_val=3)
    for split, count in (('train', 6), ('val', 3)):
        with open(root / 'annotations' / f'instances_{split}2017.json') as f:
            coco = json.load(f)
        assert len(coco['images']) == count
        assert [c['id'] for c in coco['categories']] == [1, 2, 3]
        assert [c['name'] for c in coco['categories']] == \
            list(COCO_CATEGORIES[:3])
        for ann in coco['annotations']:
            info = coco['images'][ann['image_id'] - 1]
            img = cv2.imread(str(root / f'{split}2017' / info['file_name']))
            poly = np.array(ann['segmentation'][0]).reshape(-1, 2)
            mask = np.zeros(img.shape[:2], np.uint8)
            cv2.fillPoly(mask, [poly.astype(np.int32)], 1)
            x, y, w, h = ann['bbox']
            assert (poly[:, 0].min(), poly[:, 1].min()) == (x, y)
            # the object's pixels are bright and coloured, the background
            # is dark noise (< 90 per channel)
            inside = img[mask.astype(bool)].max(1)
            assert np.mean(inside > 100) > 0.9
            assert ann['area'] == pytest.approx(mask.sum(), rel=0.25)


def test_cityscapes_layout_and_labels(tmp_path):
    root = tmp_path / 'cs'
    make_tiny_data('cityscapes', str(root), num_train=3, num_val=2)
    for split, city, count in (('train', 'aachen', 3), ('val', 'frankfurt',
                                                        2)):
        imgs = sorted(os.listdir(root / 'leftImg8bit' / split / city))
        labels = sorted(os.listdir(root / 'gtFine' / split / city))
        assert len(imgs) == len(labels) == count
        for img_name, label_name in zip(imgs, labels):
            assert img_name.replace('_leftImg8bit.png', '') == \
                label_name.replace('_gtFine_labelTrainIds.png', '')
            label = cv2.imread(str(root / 'gtFine' / split / city /
                                   label_name), cv2.IMREAD_UNCHANGED)
            assert label.shape == (64, 128)
            assert set(np.unique(label)) <= {0, 2, 8, 10, 11, 13}
            assert {0, 10} <= set(np.unique(label))


def test_refuses_foreign_folder_and_never_deletes(tmp_path):
    root = tmp_path / 'mine'
    root.mkdir()
    (root / 'precious.txt').write_text('user data')
    with pytest.raises(OutputDirError, match='not empty'):
        make_tiny_data('cityscapes', str(root), num_train=1, num_val=1)
    assert make_tiny_data('cityscapes', str(root), overwrite=True,
                          num_train=1, num_val=1)
    assert (root / 'precious.txt').read_text() == 'user data'


def test_same_dataset_twice_is_a_no_op_other_args_refused(tmp_path):
    root = str(tmp_path / 'cs')
    assert make_tiny_data('cityscapes', root, num_train=1, num_val=1)
    assert not make_tiny_data('cityscapes', root, num_train=1, num_val=1)
    with pytest.raises(OutputDirError):
        make_tiny_data('cityscapes', root, num_train=2, num_val=1)
