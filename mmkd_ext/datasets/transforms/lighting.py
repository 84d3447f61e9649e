"""AlexNet-style PCA lighting noise that keeps the channel order and the
values of the image it is given."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmkd_ext.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PCALighting(BaseTransform):
    """Add ``sum_j eigvec[:, j] * alpha_j * eigval[j]`` to every pixel, with
    ``alpha ~ N(0, alphastd)`` drawn per image (AlexNet's PCA lighting noise,
    as fb.resnet.torch and the official PS-KD ImageNet pipeline apply it).

    Two differences from mmpretrain's ``Lighting``, both deliberate:

    * the channel order is never changed: ``eigvec`` rows are in the
      image's channel order (BGR for the images mmcv loads), so the data
      preprocessor's ``to_rgb`` sees the same order in training and in
      testing. (mmcv's ``adjust_lighting`` with ``to_rgb=True`` converts to
      RGB in place and never back.)
    * the result is float32 and is not clipped: mmpretrain's ``Lighting``
      casts it back to the input dtype, so on a uint8 image a 255 channel
      with a positive increment wraps around to about 0 (and a 0 channel
      with a negative one to about 255). The official code adds the noise
      to a float tensor without clipping, as this does.

    Args:
        eigval (Sequence[float]): the eigenvalues of the pixel covariance
            (in the image's value range: 0-255 for uint8 images).
        eigvec (Sequence[Sequence[float]]): the eigenvectors as columns,
            one row per channel in the image's channel order.
        alphastd (float): standard deviation of alpha. Defaults to 0.1.
    """

    def __init__(self, eigval, eigvec, alphastd=0.1):
        self.eigval = np.asarray(eigval, dtype=np.float64)
        self.eigvec = np.asarray(eigvec, dtype=np.float64)
        n = len(self.eigval)
        if self.eigvec.shape != (n, n):
            raise ValueError(
                f'PCALighting: eigvec must be {n}x{n} (one row per channel, '
                f'one column per eigenvalue), got {self.eigvec.shape}')
        self.alphastd = float(alphastd)

    def transform(self, results):
        img = results['img']
        channels = img.shape[-1] if img.ndim == 3 else 1
        if channels != len(self.eigval):
            raise ValueError(
                f'PCALighting: {len(self.eigval)} eigenvalues for an image '
                f'with {channels} channel(s)')
        alpha = np.random.normal(0, self.alphastd, len(self.eigval))
        shift = (self.eigvec * (alpha * self.eigval)[None, :]).sum(1)
        results['img'] = img.astype(np.float32) + shift.astype(np.float32)
        return results

    def __repr__(self):
        return (f'{type(self).__name__}(eigval={self.eigval.tolist()}, '
                f'eigvec={self.eigvec.tolist()}, alphastd={self.alphastd})')
