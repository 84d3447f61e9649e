"""Writers of tiny datasets in the real on-disk layouts of COCO, Cityscapes and
ImageNet, plus scikit-learn's handwritten digits in the ImageNet layout.

The generated images hold class-dependent shapes and colours on a noisy
background, so a small network learns them in seconds; boxes, polygons and
label maps are computed from the very polygons that are drawn, so annotations
match the pixels exactly. Everything is deterministic given the seed.

Layouts (as read by the stock dataset classes):

* ImageNet (mmpretrain ``ImageNet``): ``train/<class>/<name>.png``,
  ``val/<name>.png``, ``meta/train.txt`` and ``meta/val.txt`` with lines
  ``<relative path> <label>``, plus ``meta/classes.txt``.
* COCO (mmdet ``CocoDataset``): ``annotations/instances_{train,val}2017.json``,
  ``train2017/*.jpg``, ``val2017/*.jpg``. Categories are the first COCO
  categories with their real ids, so stock 80-class configs read them as is.
* Cityscapes (mmseg ``CityscapesDataset``):
  ``leftImg8bit/{train,val}/<city>/<city>_<seq>_<frame>_leftImg8bit.png`` and
  ``gtFine/{train,val}/<city>/<city>_<seq>_<frame>_gtFine_labelTrainIds.png``.
"""
import json
import os
import os.path as osp

import cv2
import numpy as np

MARKER = '.mmkd_tiny_data.json'
# bumped when a writer writes other files: the marker then differs
FORMAT_VERSIONS = dict(digits=2)

# The first COCO categories, with their official ids (1..11 are contiguous).
COCO_CATEGORIES = ('person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus',
                   'train', 'truck', 'boat', 'traffic light', 'fire hydrant')

# Cityscapes train ids used by the tiny scenes.
CS_ROAD, CS_BUILDING, CS_VEGETATION, CS_SKY, CS_PERSON, CS_CAR = 0, 2, 8, 10, 11, 13
CS_COLORS = {
    CS_ROAD: (128, 64, 128), CS_BUILDING: (70, 70, 70),
    CS_VEGETATION: (107, 142, 35), CS_SKY: (70, 130, 180),
    CS_PERSON: (220, 20, 60), CS_CAR: (0, 0, 142)
}

SHAPES = ('rectangle', 'ellipse', 'triangle', 'diamond')
# Well separated BGR colours, one per class (cycled for more classes).
PALETTE = ((40, 40, 220), (40, 200, 40), (220, 60, 40), (30, 200, 220),
           (200, 40, 200), (220, 200, 40), (255, 255, 255), (20, 110, 170),
           (150, 150, 40), (110, 40, 150))


class OutputDirError(FileExistsError):
    """The output folder holds files that were not written by this writer."""


def prepare_output_dir(out_dir, spec, overwrite=False):
    """Make sure ``out_dir`` may receive the dataset described by ``spec``.

    Returns False when the folder already holds exactly this dataset (same
    ``spec``), True when it should be written. Never deletes anything: with
    ``overwrite`` the files are written over, other files are kept.

    Raises:
        OutputDirError: the folder is not empty and holds something else,
            and ``overwrite`` is False.
    """
    if osp.isdir(out_dir) and os.listdir(out_dir):
        marker = osp.join(out_dir, MARKER)
        if osp.isfile(marker):
            with open(marker) as f:
                if json.load(f) == spec:
                    return False
        if not overwrite:
            entries = sorted(os.listdir(out_dir))
            raise OutputDirError(
                f'Output folder {out_dir!r} is not empty (it holds '
                f'{len(entries)} entries, e.g. {entries[:3]}) and was not '
                f'written by make_tiny_data with these arguments. Refusing to '
                f'write there; choose an empty folder or pass --overwrite '
                f'(files are written over, nothing is deleted).')
    os.makedirs(out_dir, exist_ok=True)
    return True


def write_marker(out_dir, spec):
    with open(osp.join(out_dir, MARKER), 'w') as f:
        json.dump(spec, f, indent=1)


def _noisy_background(rng, height, width, level=60):
    base = rng.integers(0, level, size=3)
    noise = rng.integers(0, 30, size=(height, width, 3))
    return (base + noise).astype(np.uint8)


def shape_polygon(kind, center, size):
    """Polygon (N, 2) int32 of a shape of ``kind`` centred at ``center``.

    ``size`` is (half width, half height) in pixels.
    """
    (cx, cy), (hw, hh) = center, size
    if kind == 'rectangle':
        pts = [(cx - hw, cy - hh), (cx + hw, cy - hh), (cx + hw, cy + hh),
               (cx - hw, cy + hh)]
    elif kind == 'triangle':
        pts = [(cx, cy - hh), (cx + hw, cy + hh), (cx - hw, cy + hh)]
    elif kind == 'diamond':
        pts = [(cx, cy - hh), (cx + hw, cy), (cx, cy + hh), (cx - hw, cy)]
    elif kind == 'ellipse':
        return cv2.ellipse2Poly((int(cx), int(cy)), (int(hw), int(hh)), 0, 0,
                                360, 15).astype(np.int32)
    else:
        raise ValueError(f'unknown shape {kind!r}, expected one of {SHAPES}')
    return np.round(np.array(pts)).astype(np.int32)


def _class_style(label):
    return SHAPES[label % len(SHAPES)], PALETTE[label % len(PALETTE)]


def _jitter_color(rng, color, amount=25):
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255))
                 for c in color)


def draw_object(rng, img, label, min_frac=0.2, max_frac=0.4, region=None):
    """Draw the shape of class ``label`` at a random place inside ``region``
    (x0, y0, width, height; default the whole image); return its polygon.

    The size is a random fraction in [min_frac, max_frac] of the region.
    """
    x0, y0, width, height = region or (0, 0, img.shape[1], img.shape[0])
    kind, color = _class_style(label)
    hw = rng.uniform(min_frac, max_frac) * width / 2
    hh = rng.uniform(min_frac, max_frac) * height / 2
    cx = x0 + rng.uniform(hw + 1, width - hw - 1)
    cy = y0 + rng.uniform(hh + 1, height - hh - 1)
    poly = shape_polygon(kind, (cx, cy), (hw, hh))
    cv2.fillPoly(img, [poly], _jitter_color(rng, color))
    return poly


# --------------------------------------------------------------------------
# ImageNet layout (tiny synthetic ImageNet and digits)
# --------------------------------------------------------------------------
def write_imagenet_layout(out_dir, class_names, train, val):
    """Write ``(image, label)`` pairs in the ImageNet folder layout.

    Args:
        out_dir (str): dataset root.
        class_names (list[str]): one folder name per class.
        train, val (list[tuple[np.ndarray, int]]): HxWx3 uint8 BGR images or
            HxW grey images, with their labels.
    """
    os.makedirs(osp.join(out_dir, 'meta'), exist_ok=True)
    lines = []
    for i, (img, label) in enumerate(train):
        rel = f'{class_names[label]}/{class_names[label]}_{i:05d}.png'
        os.makedirs(osp.join(out_dir, 'train', class_names[label]),
                    exist_ok=True)
        cv2.imwrite(osp.join(out_dir, 'train', rel), img)
        lines.append(f'{rel} {label}')
    _write_lines(osp.join(out_dir, 'meta', 'train.txt'), lines)
    os.makedirs(osp.join(out_dir, 'val'), exist_ok=True)
    lines = []
    for i, (img, label) in enumerate(val):
        rel = f'val_{i:05d}.png'
        cv2.imwrite(osp.join(out_dir, 'val', rel), img)
        lines.append(f'{rel} {label}')
    _write_lines(osp.join(out_dir, 'meta', 'val.txt'), lines)
    _write_lines(osp.join(out_dir, 'meta', 'classes.txt'), class_names)


def _write_lines(path, lines):
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def make_tiny_imagenet(out_dir, seed=0, num_classes=4, num_train=16,
                       num_val=8, image_size=32):
    """Synthetic classification data: one shape and colour per class.

    ``num_train`` and ``num_val`` are images per class.
    """
    rng = np.random.default_rng(seed)

    def sample(n):
        items = []
        for label in range(num_classes):
            for _ in range(n):
                img = _noisy_background(rng, image_size, image_size)
                draw_object(rng, img, label, 0.4, 0.7)
                items.append((img, label))
        order = rng.permutation(len(items))
        return [items[i] for i in order]

    names = [f'c{label:03d}' for label in range(num_classes)]
    write_imagenet_layout(out_dir, names, sample(num_train), sample(num_val))
    return names


def make_digits(out_dir, image_size=32, val_fraction=0.2):
    """scikit-learn's 1,797 handwritten digits (8x8, real data) upscaled to
    ``image_size`` and written in the ImageNet layout.

    The stratified train/val split is fixed (``random_state=0``) so every
    run and every machine gets the same split: 1,437 train / 360 val; the
    training images are split again into 1,149 ``fit`` / 288 ``holdout``
    (:func:`write_holdout_split`).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    digits = load_digits()
    images = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)
    idx_train, idx_val = train_test_split(
        np.arange(len(images)), test_size=val_fraction, random_state=0,
        stratify=digits.target)

    def convert(indices):
        return [(cv2.resize(images[i], (image_size, image_size),
                            interpolation=cv2.INTER_LINEAR),
                 int(digits.target[i])) for i in indices]

    names = [str(d) for d in range(10)]
    write_imagenet_layout(out_dir, names, convert(idx_train),
                          convert(idx_val))
    write_holdout_split(out_dir, [int(digits.target[i]) for i in idx_train])
    return names


def write_holdout_split(out_dir, labels, fraction=0.2):
    """Split ``meta/train.txt`` (stratified, fixed) into ``meta/fit.txt``
    and ``meta/holdout.txt``: a validation set carved from the training
    images, for choosing settings without looking at ``val``."""
    from sklearn.model_selection import train_test_split
    with open(osp.join(out_dir, 'meta', 'train.txt')) as f:
        lines = f.read().split('\n')[:len(labels)]
    fit, holdout = train_test_split(lines, test_size=fraction,
                                    random_state=1, stratify=labels)
    _write_lines(osp.join(out_dir, 'meta', 'fit.txt'), sorted(fit))
    _write_lines(osp.join(out_dir, 'meta', 'holdout.txt'), sorted(holdout))


# --------------------------------------------------------------------------
# COCO layout
# --------------------------------------------------------------------------
def _coco_split(rng, out_dir, split, num_images, image_size, num_classes,
                max_objects, first_ann_id):
    img_dir = osp.join(out_dir, f'{split}2017')
    os.makedirs(img_dir, exist_ok=True)
    images, annotations = [], []
    ann_id = first_ann_id
    for i in range(num_images):
        image_id = i + 1
        img = _noisy_background(rng, image_size, image_size)
        # One object per quadrant at most, so that objects never overlap and
        # every box and polygon is fully visible.
        half = image_size // 2
        cells = rng.permutation(4)[:int(rng.integers(1, max_objects + 1))]
        for cell in cells:
            label = int(rng.integers(num_classes))
            region = ((cell % 2) * half, (cell // 2) * half, half, half)
            poly = draw_object(rng, img, label, 0.5, 0.9, region)
            x0, y0 = poly.min(axis=0)
            x1, y1 = poly.max(axis=0)
            annotations.append(dict(
                id=ann_id, image_id=image_id, category_id=label + 1,
                bbox=[float(x0), float(y0), float(x1 - x0 + 1),
                      float(y1 - y0 + 1)],
                area=float(cv2.contourArea(poly.astype(np.float32))),
                segmentation=[poly.reshape(-1).astype(float).tolist()],
                iscrowd=0))
            ann_id += 1
        file_name = f'{image_id:012d}.jpg'
        cv2.imwrite(osp.join(img_dir, file_name), img,
                    [cv2.IMWRITE_JPEG_QUALITY, 95])
        images.append(dict(id=image_id, file_name=file_name,
                           width=image_size, height=image_size))
    categories = [dict(id=c + 1, name=COCO_CATEGORIES[c], supercategory='tiny')
                  for c in range(num_classes)]
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    with open(osp.join(out_dir, 'annotations',
                       f'instances_{split}2017.json'), 'w') as f:
        json.dump(dict(images=images, annotations=annotations,
                       categories=categories), f)
    return ann_id


def make_tiny_coco(out_dir, seed=0, num_train=8, num_val=4, image_size=128,
                   num_classes=3, max_objects=3):
    """Synthetic detection data with boxes and polygons of drawn shapes,
    at most ``max_objects`` (<= 4) non-overlapping objects per image."""
    if not 1 <= max_objects <= 4:
        raise ValueError(f'max_objects must be in [1, 4], got {max_objects}')
    if not 1 <= num_classes <= len(COCO_CATEGORIES):
        raise ValueError(f'num_classes must be in [1, {len(COCO_CATEGORIES)}]'
                         f', got {num_classes}')
    rng = np.random.default_rng(seed)
    next_id = _coco_split(rng, out_dir, 'train', num_train, image_size,
                          num_classes, max_objects, 1)
    _coco_split(rng, out_dir, 'val', num_val, image_size, num_classes,
                max_objects, next_id)
    return list(COCO_CATEGORIES[:num_classes])


# --------------------------------------------------------------------------
# Cityscapes layout
# --------------------------------------------------------------------------
def _street_scene(rng, height, width):
    """A street scene and its train-id label map (H, W) uint8."""
    label = np.full((height, width), CS_BUILDING, np.uint8)
    horizon = int(height * rng.uniform(0.25, 0.4))
    road_top = int(height * rng.uniform(0.55, 0.7))
    label[:horizon] = CS_SKY
    label[road_top:] = CS_ROAD
    for _ in range(int(rng.integers(1, 3))):  # trees between sky and road
        x0 = int(rng.integers(0, width - width // 6))
        label[horizon:road_top, x0:x0 + width // 6] = CS_VEGETATION
    for cls, kind, n in ((CS_CAR, 'rectangle', 2), (CS_PERSON, 'ellipse', 2)):
        for _ in range(int(rng.integers(1, n + 1))):
            hw = width * rng.uniform(0.04, 0.1)
            hh = height * rng.uniform(0.06, 0.12)
            cx = rng.uniform(hw + 1, width - hw - 1)
            cy = rng.uniform(road_top - hh / 2, height - hh - 1)
            cv2.fillPoly(label, [shape_polygon(kind, (cx, cy), (hw, hh))],
                         int(cls))
    img = _noisy_background(rng, height, width, level=20)
    for cls, rgb in CS_COLORS.items():
        img[label == cls] = np.clip(
            img[label == cls].astype(int) + np.array(rgb[::-1]) - 10, 0,
            255).astype(np.uint8)
    return img, label


def make_tiny_cityscapes(out_dir, seed=0, num_train=8, num_val=4, height=64,
                         width=128):
    """Synthetic street scenes labelled with Cityscapes train ids."""
    rng = np.random.default_rng(seed)
    for split, city, num in (('train', 'aachen', num_train),
                             ('val', 'frankfurt', num_val)):
        img_dir = osp.join(out_dir, 'leftImg8bit', split, city)
        ann_dir = osp.join(out_dir, 'gtFine', split, city)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(ann_dir, exist_ok=True)
        for i in range(num):
            img, label = _street_scene(rng, height, width)
            stem = f'{city}_{i:06d}_000019'
            cv2.imwrite(osp.join(img_dir, f'{stem}_leftImg8bit.png'), img)
            cv2.imwrite(
                osp.join(ann_dir, f'{stem}_gtFine_labelTrainIds.png'), label)


WRITERS = dict(
    imagenet=make_tiny_imagenet,
    digits=make_digits,
    coco=make_tiny_coco,
    cityscapes=make_tiny_cityscapes)


def make_tiny_data(kind, out_dir, overwrite=False, **kwargs):
    """Write dataset ``kind`` into ``out_dir``; see :func:`prepare_output_dir`.

    Returns True if files were written, False if the folder already held
    the same dataset.
    """
    if kind not in WRITERS:
        raise ValueError(f'unknown dataset kind {kind!r}; expected one of '
                         f'{sorted(WRITERS)}')
    spec = dict(kind=kind, version=FORMAT_VERSIONS.get(kind, 1), **kwargs)
    if not prepare_output_dir(out_dir, spec, overwrite):
        return False
    WRITERS[kind](out_dir, **kwargs)
    write_marker(out_dir, spec)
    return True
