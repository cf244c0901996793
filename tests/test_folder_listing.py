"""Case checks list each folder once per load (linear in the number of module files), and never
remember a listing beyond it (`coursepack preview` must see a rename made a millisecond later)."""

from __future__ import annotations

from pathlib import Path

from coursepack.load.loaded import case_insensitive_match, exact_case, listings_kept


def test_one_listing_per_folder_within_a_load(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "modules").mkdir()
    for n in range(20):
        (tmp_path / "modules" / f"m{n}.yaml").write_text("x")
    listed: list[Path] = []
    iterdir = Path.iterdir

    def counting(self: Path):
        listed.append(self)
        return iterdir(self)

    monkeypatch.setattr(Path, "iterdir", counting)
    with listings_kept():
        assert all(exact_case(tmp_path, f"modules/m{n}.yaml") for n in range(20))
    assert len(listed) == 2  # the course folder and modules/, once each
    listed.clear()
    assert all(exact_case(tmp_path, f"modules/m{n}.yaml") for n in range(3))
    assert len(listed) == 6  # outside a load nothing is kept


def test_a_rename_is_seen_at_once_outside_a_load(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "One.yaml").write_text("x")
    assert exact_case(tmp_path, "a/One.yaml") and case_insensitive_match(tmp_path, "a/one.yaml") == "a/One.yaml"
    (tmp_path / "a" / "One.yaml").rename(tmp_path / "a" / "one.yaml")  # well within one clock tick
    assert case_insensitive_match(tmp_path, "a/ONE.yaml") == "a/one.yaml"
    assert exact_case(tmp_path, "a/one.yaml") and not exact_case(tmp_path, "a/One.yaml")
