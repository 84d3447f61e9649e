"""Pictures of what a HARD augmentor does to the training images."""
import torch
from mmengine.hooks import Hook

from mmkd_ext.registry import HOOKS
from .utils import converts_to_rgb, unwrap_model


def image_grid(rows, pad=2):
    """Tile ``rows`` (list of (N, C, H, W) float tensors, values in [0, 255])
    into one uint8 (H', W', 3) array: one row per tensor, ``pad`` pixels of
    white between images."""
    num, channels, height, width = rows[0].shape
    grid = torch.full((3, len(rows) * (height + pad) + pad,
                       num * (width + pad) + pad), 255.)
    for r, images in enumerate(rows):
        images = images.detach().float().cpu().clamp(0, 255)
        if channels == 1:
            images = images.expand(-1, 3, -1, -1)
        for i, image in enumerate(images):
            top, left = pad + r * (height + pad), pad + i * (width + pad)
            grid[:, top:top + height, left:left + width] = image
    return grid.permute(1, 2, 0).round().byte().numpy()


@HOOKS.register_module()
class AugmentorVisualizationHook(Hook):
    """Every ``interval`` training iterations, save a grid of the first
    ``num_images`` training images of the batch (top row) and their
    augmentations by the model's augmentor (bottom row), through the
    runner's Visualizer (``add_image('augmentor', ...)``; with the default
    local backend: ``<work_dir>/<timestamp>/vis_data/vis_image/
    augmentor_<iter>.png``).

    The model must have ``augment(inputs)`` (``HARDDistiller``). Images are
    shown in the pixel range: the data preprocessor's ``mean``/``std`` are
    undone, and 3-channel inputs the preprocessor left in BGR are shown as
    RGB.

    Args:
        interval (int): iterations between pictures. Defaults to 500.
        num_images (int): images per picture. Defaults to 8.
    """
    priority = 'LOW'

    def __init__(self, interval=500, num_images=8):
        if interval < 1 or num_images < 1:
            raise ValueError(
                f'AugmentorVisualizationHook: interval and num_images must '
                f'be >= 1, got {interval}, {num_images}')
        self.interval = interval
        self.num_images = num_images

    def before_train(self, runner):
        model = unwrap_model(runner)
        if not callable(getattr(model, 'augment', None)):
            raise TypeError(
                f'AugmentorVisualizationHook: {type(model).__name__} has no '
                f'augment() method; use it with a HARDDistiller')

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if not self.every_n_train_iters(runner, self.interval):
            return
        runner.visualizer.add_image(
            'augmentor', self.picture(unwrap_model(runner), data_batch),
            step=runner.iter + 1)

    @torch.no_grad()
    def picture(self, model, data_batch):
        """(H', W', 3) uint8 grid: originals above augmentations."""
        preprocessor = model.data_preprocessor
        inputs = preprocessor(data_batch, False)['inputs'][:self.num_images]
        augmented = model.augment(inputs)
        rows = [self._to_pixels(preprocessor, x) for x in (inputs, augmented)]
        if inputs.shape[1] == 3 and not converts_to_rgb(preprocessor):  # BGR
            rows = [r.flip(1) for r in rows]
        return image_grid(rows)

    @staticmethod
    def _to_pixels(preprocessor, images):
        if getattr(preprocessor, '_enable_normalize', False):
            images = images * preprocessor.std + preprocessor.mean
        return images
