"""scripts/demo.py says what is exact and what varies, and the README's demo
section says the same. No test trains the demo or asserts its accuracies:
they are exact on one machine only (README, "The demo")."""
import os.path as osp
import sys

from conftest import ROOT

sys.path.insert(0, osp.join(ROOT, 'scripts'))
import demo  # noqa: E402


def demo_section():
    with open(osp.join(ROOT, 'README.md')) as f:
        text = f.read()
    start = text.index('## The demo')
    return text[start:text.index('\n## ', start + 1)]


def test_every_measured_run_is_within_the_printed_ranges():
    for runs in demo.MEASURED.values():
        for index in range(len(runs['student'])):
            results = {name: tops[index] for name, tops in runs.items()}
            assert demo.what_varies(results)[-1].endswith(
                'every value within those ranges')


def test_a_value_outside_the_ranges_is_reported_not_fatal():
    ranges, _ = demo.measured_ranges()
    results = dict(teacher=100.0, student=ranges['student'][0],
                   kd=ranges['kd'][1] + 1.0, nkd=ranges['nkd'][0])
    last = demo.what_varies(results)[-1]
    assert f'kd {ranges["kd"][1] + 1.0:.2f}' in last
    assert 'not an error' in last


def test_readme_demo_section_matches_what_the_demo_prints():
    section = demo_section()
    runs = next(iter(demo.MEASURED.values()))
    seed0 = {name: tops[0] for name, tops in runs.items()}
    for line in demo.what_varies(seed0):
        assert line in section, line
    ranges, gains = demo.measured_ranges()
    for name, label in (('kd', 'KD'), ('nkd', 'NKD')):
        low, high = ranges[name]
        assert (f'{label} at {low:.2f}-{high:.2f} (gain '
                f'{gains[name][0]:+.2f} to {gains[name][1]:+.2f})'
                in ' '.join(section.split())), name
