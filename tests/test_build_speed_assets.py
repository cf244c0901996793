"""Issue 16: a build checks each asset file it packs once, not once per package (the check resolves each
folder of the path: 1.3 % of the example's build to every target and edition)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from coursepack.commands.build import build_packages
from coursepack.load.course_loader import load_course
from coursepack.targets import package
from coursepack.targets.registry import TARGETS
from test_render import make_full_course


def test_each_asset_is_checked_once_a_build(tmp_path: Path, monkeypatch) -> None:
    loaded = load_course(make_full_course(tmp_path / "course"))
    checked: Counter = Counter()
    asset_file = package._asset_file

    def counted(loaded, rel):
        checked[rel] += 1
        return asset_file(loaded, rel)

    monkeypatch.setattr(package, "_asset_file", counted)
    (tmp_path / "out").mkdir()
    built = build_packages(loaded, list(TARGETS), loaded.course.editions(), tmp_path / "out")
    assert len(built) == 2 * len(TARGETS) and checked, "no asset packed: the count would prove nothing"
    assert set(checked.values()) == {1}, checked
