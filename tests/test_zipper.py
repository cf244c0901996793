import os
import subprocess
import sys
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


def test_case_only_collisions_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeEntryName, match="differ only in letter case"):
        write_zip({"assets/Welcome.svg": b"a", "assets/welcome.svg": b"b"}, tmp_path / "bad.zip")
    with pytest.raises(UnsafeEntryName, match="differ only in letter case"):
        write_zip({"assets/Pics/a.png": b"a", "assets/pics/b.png": b"b"}, tmp_path / "bad.zip")


MEDIA = ["clip.mp4", "talk.m4a", "talk.mp3", "clip.webm", "talk.ogg", "a.png", "a.jpg", "a.JPEG", "a.gif", "a.webp",
         "f.woff", "f.woff2", "bundle.zip", "handout.pdf"]


def test_compressed_media_are_stored_the_rest_deflated(tmp_path: Path) -> None:
    files: dict[str, bytes | Path] = {f"assets/{name}": b"same bytes " * 100 for name in MEDIA}
    source = tmp_path / "captions.vtt"
    source.write_bytes(b"WEBVTT\n\n" + b"cue " * 1000)
    files["assets/captions.vtt"] = source
    files["index.html"] = b"<p>hello</p>" * 100
    write_zip(files, tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        kinds = {i.filename: i.compress_type for i in archive.infolist()}
        assert archive.read("assets/captions.vtt") == source.read_bytes()
        assert archive.testzip() is None
    assert {n for n, k in kinds.items() if k == zipfile.ZIP_STORED} == {f"assets/{name}" for name in MEDIA}
    assert {n for n, k in kinds.items() if k == zipfile.ZIP_DEFLATED} == {"assets/captions.vtt", "index.html"}


def test_streamed_files_are_deterministic_and_equal_to_bytes(tmp_path: Path) -> None:
    """A file streamed from disk gives the same entry as its bytes; two writes give one result."""
    video, text = tmp_path / "v.mp4", tmp_path / "t.md"
    video.write_bytes(bytes(range(256)) * 4000)
    text.write_bytes(b"# Transcript\n" * 4000)
    from_disk = {"assets/v.mp4": video, "assets/t.md": text, **FILES}
    in_memory = {"assets/v.mp4": video.read_bytes(), "assets/t.md": text.read_bytes(), **FILES}
    write_zip(from_disk, tmp_path / "a.zip")
    os.utime(video, (0, 0))  # an older file time must not matter
    write_zip(dict(reversed(list(from_disk.items()))), tmp_path / "b.zip")
    write_zip(in_memory, tmp_path / "c.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes() == (tmp_path / "c.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert {i.date_time for i in archive.infolist()} == {FIXED_TIME}
        assert {i.external_attr >> 16 for i in archive.infolist()} == {0o100644}


PACK_64_MB = """
import sys, tracemalloc
from pathlib import Path
from coursepack.targets.zipper import write_zip
folder = Path(sys.argv[1])
for name in ("big.mp4", "big.wav"):  # one stored, one deflated
    with (folder / name).open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: instant to make
tracemalloc.start()
write_zip({"assets/big.mp4": folder / "big.mp4", "assets/big.wav": folder / "big.wav", "index.html": b"<p>x</p>"}, folder / "out.zip")
print(tracemalloc.get_traced_memory()[1])
"""


def test_packing_64_mb_files_keeps_memory_small(tmp_path: Path) -> None:
    # Python allocations traced in a fresh process: exact, and independent of the machine's load.
    result = subprocess.run([sys.executable, "-c", PACK_64_MB, str(tmp_path)], capture_output=True, text=True, check=True)
    peak = int(result.stdout.split()[-1])
    assert peak < 16 * 1024 * 1024, f"packing two 64 MB files peaked at {peak / 1048576:.1f} MB of Python allocations"
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert archive.getinfo("assets/big.mp4").file_size == 64 * 1024 * 1024
        assert archive.getinfo("assets/big.mp4").compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("assets/big.wav").compress_type == zipfile.ZIP_DEFLATED
