"""load/paths.py's containment check resolves a path only when a symbolic link lies on its way (issue 16:
resolving every prefix walked every folder from '/' again, 2-3 ms of the example's first `validate`), and
gives the same answer as resolving every prefix, whatever the folder holds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coursepack.load import paths
from coursepack.load.paths import outside_folder


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course folder with a symbolic link of each kind beside plain files and folders."""
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "secret.txt").write_text("x")
    root = tmp_path / "course"
    (root / "assets" / "diagrams").mkdir(parents=True)
    (root / "assets" / "diagrams" / "a.svg").write_text("<svg/>")
    (root / "course.yaml").write_text("id: x\n")
    (root / "assets" / "leak.png").symlink_to(outside / "secret.txt")
    (root / "assets" / "out").symlink_to(outside, target_is_directory=True)
    (root / "assets" / "alias").symlink_to("diagrams", target_is_directory=True)
    (root / "assets" / "up").symlink_to("..", target_is_directory=True)
    (root / "assets" / "dangling.png").symlink_to(tmp_path / "missing.png")
    (root / "assets" / "loop.png").symlink_to("loop.png")
    (root / "assets" / "root").symlink_to("/", target_is_directory=True)
    return root


RELS = [
    "course.yaml", "missing.yaml", "course.yaml/below", "assets", "assets/diagrams/a.svg", "assets/diagrams/none.svg",
    "assets/leak.png", "assets/out/secret.txt", "assets/out/deep/x.png", "assets/alias/a.svg", "assets/up/course.yaml",
    "assets/up/assets/alias/a.svg", "assets/dangling.png", "assets/loop.png", "assets/loop.png/x", "assets/root/etc/passwd",
    "assets/../course.yaml", "assets/./diagrams/a.svg", "assets//diagrams/a.svg", "/etc/passwd", "assets/diagrams/",
]


@pytest.mark.parametrize("rel", RELS)
def test_the_answer_is_that_of_resolving_every_prefix(course: Path, rel: str) -> None:
    assert outside_folder(course, rel) == paths._resolved_outside(course, rel)  # the full check, every prefix resolved


def test_the_links_leading_out_are_caught_at_the_link(course: Path) -> None:
    assert outside_folder(course, "assets/out/deep/x.png") == "assets/out"
    assert outside_folder(course, "assets/root/etc/passwd") == "assets/root"
    assert outside_folder(course, "assets/leak.png") == "assets/leak.png"
    assert outside_folder(course, "assets/loop.png") == "assets/loop.png"
    assert outside_folder(course, "assets/alias/a.svg") is None


def test_a_path_without_links_is_not_resolved(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> str:
        raise AssertionError("resolved a path that has no symbolic link on its way")

    monkeypatch.setattr(os.path, "realpath", refused)
    monkeypatch.setattr(paths.Path, "resolve", refused)
    assert outside_folder(course, "course.yaml") is None
    assert outside_folder(course, "assets/diagrams/a.svg") is None
    assert outside_folder(course, "assets/diagrams/none.svg") is None
    with pytest.raises(AssertionError):  # a link on the way: resolved
        outside_folder(course, "assets/alias/a.svg")
