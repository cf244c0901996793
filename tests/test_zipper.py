import zipfile
from pathlib import Path

import pytest

from coursepack.targets.zipper import FIXED_TIME, UnsafeEntryName, safe_entry_name, write_zip

FILES = {"index.html": b"<html></html>", "imsmanifest.xml": b"<manifest/>", "assets/a b/x.svg": b"<svg/>", "runtime/p.js": b"x" * 5000}


def test_same_files_give_identical_bytes(tmp_path: Path) -> None:
    write_zip(FILES, tmp_path / "a.zip")
    write_zip(dict(reversed(list(FILES.items()))), tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_entries_sorted_with_fixed_time_and_mode(tmp_path: Path) -> None:
    write_zip(FILES, tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["imsmanifest.xml", "assets/a b/x.svg", "index.html", "runtime/p.js"]
        assert {i.date_time for i in infos} == {FIXED_TIME}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        assert archive.read("runtime/p.js") == b"x" * 5000


@pytest.mark.parametrize("name", ["/etc/passwd", "../evil", "a/../../b", "a\\b", "", "a//b", "./a", "a/"])
def test_zip_slip_names_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(UnsafeEntryName):
        safe_entry_name(name)
    with pytest.raises(UnsafeEntryName):
        write_zip({name: b"x"}, tmp_path / "bad.zip")
