import pytest
from mmengine.hooks import Hook

from mmkd_ext.engine.hooks import DistillLossScheduleHook


class FakeRunner:

    def __init__(self, model):
        self.model, self.epoch, self.iter = model, 0, 0


class FakeTerm:
    scale = 1.0


class FakeDistiller:

    def __init__(self):
        self.terms = dict(kd=FakeTerm(), feat=FakeTerm())

    def scales(self):
        return {name: term.scale for name, term in self.terms.items()}


def test_warmup_then_stop_by_iteration():
    hook = DistillLossScheduleHook(losses=['kd'], warmup_iters=4,
                                   stop_iter=10)
    runner = FakeRunner(FakeDistiller())
    hook.before_train(runner)
    seen = []
    for it in range(12):
        runner.iter = it
        hook.before_train_iter(runner, it)
        seen.append(runner.model.scales()['kd'])
        assert runner.model.scales()['feat'] == 1.0
    assert seen == [0.25, 0.5, 0.75] + [1.0] * 7 + [0.0, 0.0]


def test_stop_by_epoch_for_all_losses():
    hook = DistillLossScheduleHook(stop_epoch=2)
    runner = FakeRunner(FakeDistiller())
    hook.before_train(runner)
    runner.epoch = 1
    hook.before_train_iter(runner, 0)
    assert runner.model.scales() == dict(kd=1.0, feat=1.0)
    runner.epoch = 2
    hook.before_train_iter(runner, 0)
    assert runner.model.scales() == dict(kd=0.0, feat=0.0)


def test_errors_name_the_problem():
    with pytest.raises(KeyError, match="'nope'"):
        DistillLossScheduleHook(losses=['nope']).before_train(
            FakeRunner(FakeDistiller()))
    with pytest.raises(TypeError, match='needs a distiller'):
        DistillLossScheduleHook().before_train(FakeRunner(Hook()))
    with pytest.raises(ValueError, match='warmup_iters'):
        DistillLossScheduleHook(warmup_iters=-1)


@pytest.mark.parametrize('module, name, flags, rgb', [
    ('mmpretrain.models', 'ClsDataPreprocessor', dict(to_rgb=True), True),
    ('mmpretrain.models', 'ClsDataPreprocessor', dict(to_rgb=False), False),
    ('mmseg.models', 'SegDataPreProcessor', dict(bgr_to_rgb=True), True),
    ('mmseg.models', 'SegDataPreProcessor', dict(bgr_to_rgb=False), False),
    ('mmdet.models', 'DetDataPreprocessor', dict(bgr_to_rgb=True), True),
    ('mmdet.models', 'DetDataPreprocessor', dict(bgr_to_rgb=False), False),
])
def test_picture_hooks_read_each_library_channel_flag(module, name, flags,
                                                      rgb):
    """The picture hooks show RGB whatever library built the
    preprocessor (each names its BGR -> RGB flag differently)."""
    import importlib

    from mmkd_ext.engine.hooks.utils import converts_to_rgb
    preprocessor = getattr(importlib.import_module(module), name)(**flags)
    assert converts_to_rgb(preprocessor) is rgb
