"""Pictures of the spatial masks that mask-based distillation losses
(ACAM-KD) learn."""
import numpy as np
import torch.nn.functional as F
from mmengine.hooks import Hook

from mmkd_ext.registry import HOOKS
from .utils import converts_to_rgb, unwrap_model


def mask_losses(model):
    """Names in ``distill_losses`` of the losses that make spatial masks:
    a loss with a ``spatial_masks(student, teacher)`` method (e.g.
    ``ACAMLoss``), or a ``LevelwiseLoss`` of such losses."""
    terms = getattr(model, 'terms', None) or {}
    return [name for name, term in terms.items() if hasattr(
        getattr(term.loss, 'levels', [term.loss])[0], 'spatial_masks')]


def level_masks(loss, student, teacher):
    """``[(level suffix, (B, M, h, w) masks)]`` of one mask loss."""
    if not hasattr(loss, 'levels'):
        return [('', loss.spatial_masks(student, teacher))]
    return [(f'.levels.{i}', level.spatial_masks(s, t))
            for i, (level, (s, t)) in enumerate(
                zip(loss.levels, loss.level_inputs(student, teacher)))]


@HOOKS.register_module()
class MaskVisualizationHook(Hook):
    """Every ``interval`` training iterations, overlay the spatial masks of
    each level on the first training image of the batch and save the
    picture through the runner's Visualizer, so that every configured
    backend gets it (``LocalVisBackend``: ``<work_dir>/<timestamp>/vis_data/
    vis_image/masks_<path>_<iter>.png``; ``TensorboardVisBackend``: the
    ``masks_<path>`` image).

    The masks are those of the modules just updated, on the batch just
    trained (one extra no-grad teacher and student forward, student in
    eval mode). One picture per mask module (``<path>``: the loss's name
    in ``distill_losses`` and, for a ``LevelwiseLoss``, its level, e.g.
    ``acam.levels.0`` for FPN level 0): the M masks of that level side by
    side, each upsampled to the padded batch and cropped to the image.

    Args:
        interval (int): iterations between pictures. Defaults to 1000.
    """
    priority = 'LOW'

    def __init__(self, interval=1000):
        if interval < 1:
            raise ValueError(f'MaskVisualizationHook: interval must be >= 1, '
                             f'got {interval}')
        self.interval = interval

    def before_train(self, runner):
        if not mask_losses(unwrap_model(runner)):
            raise TypeError(
                'MaskVisualizationHook: no distillation loss of the model '
                'makes spatial masks; use it with a distiller whose '
                'distill_losses use ACAMLoss')

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if not self.every_n_train_iters(runner, self.interval):
            return
        model = unwrap_model(runner)
        image = self._first_image(model, data_batch)
        batch = model.data_preprocessor(data_batch, True)
        samples = batch['data_samples']
        padded = samples[0].metainfo.get('batch_input_shape',
                                         batch['inputs'].shape[2:])
        with model.recorded_taps(batch['inputs'], samples):
            for name in mask_losses(model):
                term = model.terms[name]
                (student, teacher), _ = term.arguments(model.tap_sources,
                                                       samples)
                for suffix, masks in level_masks(term.loss, student,
                                                 teacher):
                    runner.visualizer.add_image(
                        f'masks_{name}{suffix}',
                        self.picture(runner.visualizer, image, masks[0],
                                     padded),
                        step=runner.iter + 1)

    @staticmethod
    def _first_image(model, data_batch):
        """(H, W, 3) uint8 RGB array of the first raw input (before the
        preprocessor's normalisation; BGR inputs that it converts are
        flipped)."""
        image = data_batch['inputs'][0].detach().cpu()
        if converts_to_rgb(model.data_preprocessor):
            image = image.flip(0)
        return image.permute(1, 2, 0).clamp(0, 255).byte().numpy()

    @staticmethod
    def picture(visualizer, image, masks, padded, pad=2):
        """``masks`` (M, h, w) of one image -> (H, (W + pad) * M, 3) uint8:
        each mask as a heat map over ``image`` (H, W, 3)."""
        height, width = image.shape[:2]
        masks = F.interpolate(masks[None].float().cpu(), size=tuple(padded),
                              mode='bilinear', align_corners=False)[0]
        tiles = []
        for mask in masks[:, :height, :width]:
            tiles.append(visualizer.draw_featmap(mask[None], image))
            tiles.append(np.full((height, pad, 3), 255, np.uint8))
        return np.concatenate(tiles[:-1], axis=1)
