"""The build's templates are compiled once, into Jinja's bytecode cache in the user's cache folder
(render/template_cache.py): a second environment compiles none and packs the same bytes; garbage in the
cache is compiled afresh; a cache folder that cannot be made, written or trusted leaves the build as it
would be without one. (This is the way of a template whose shipped code is not current, another Jinja's or
an edited template's: every test here runs without the shipped code, test_shipped_templates.py with it.)"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import jinja2.bccache
import pytest
from click.testing import CliRunner
from jinja2 import DictLoader, Environment

from conftest import SCAFFOLD
from coursepack.cli import main
from coursepack.render import compiled as shipped_code, page, template_cache

TEMPLATES = ["blocks.html", "launch.html", "page_content.html"]


@pytest.fixture(autouse=True)
def fresh_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each build below in a new template environment, which takes its cache folder as it is made, and with
    no shipped code (render/compiled/) for any template."""
    monkeypatch.setenv("COURSEPACK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(shipped_code, "MODULES", {})
    page._env.cache_clear()
    yield
    page._env.cache_clear()  # the next test's environment takes the run's own folder again


def build(out: Path) -> bytes:
    """The scaffold's one xAPI package, built in a new template environment."""
    page._env.cache_clear()
    result = CliRunner().invoke(main, ["build", str(SCAFFOLD), "--target", "xapi", "--edition", "standard", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (package,) = out.iterdir()  # nothing but the package in the output folder
    return package.read_bytes()


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / template_cache.FOLDER).iterdir())


def test_a_second_build_compiles_no_template_and_garbage_is_compiled_afresh(tmp_path: Path, jinja_compiled: list[str]) -> None:
    first = build(tmp_path / "first")
    assert sorted(jinja_compiled) == TEMPLATES
    files = cache_files(tmp_path)
    assert len(files) == len(TEMPLATES)
    assert stat.S_IMODE((tmp_path / "cache" / template_cache.FOLDER).stat().st_mode) == 0o700
    assert not (SCAFFOLD / "jinja").exists()
    jinja_compiled.clear()
    assert build(tmp_path / "again") == first and jinja_compiled == []
    # Jinja's magic header and the source's checksum guard what is read: garbage, or the right header
    # followed by garbage, is compiled again and replaced
    files[0].write_bytes(b"not a compiled template")
    for file in files[1:]:
        file.write_bytes(jinja2.bccache.bc_magic + b"\x80\x05garbage")
    jinja_compiled.clear()
    assert build(tmp_path / "garbage") == first and sorted(jinja_compiled) == TEMPLATES
    jinja_compiled.clear()
    assert build(tmp_path / "rewritten") == first and jinja_compiled == []


def test_a_cache_that_cannot_be_made_written_or_trusted_builds_the_same_bytes(tmp_path: Path, jinja_compiled: list[str],
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with_cache = build(tmp_path / "with-cache")
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("COURSEPACK_CACHE", str(blocked / "cache"))  # no folder can be made under a file
    assert build(tmp_path / "unmade") == with_cache
    monkeypatch.setenv("COURSEPACK_CACHE", str(tmp_path / "full"))

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as full:
        full.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", disk_full)
        assert build(tmp_path / "unwritten") == with_cache
    assert os.listdir(tmp_path / "full" / template_cache.FOLDER) == []
    shared = tmp_path / "shared"
    (shared / template_cache.FOLDER).mkdir(parents=True, mode=0o777)
    os.chmod(shared / template_cache.FOLDER, 0o777)  # anyone could put code there: not used
    monkeypatch.setenv("COURSEPACK_CACHE", str(shared))
    jinja_compiled.clear()
    assert build(tmp_path / "untrusted") == with_cache and sorted(jinja_compiled) == TEMPLATES
    assert os.listdir(shared / template_cache.FOLDER) == []


def test_the_key_follows_the_settings_that_decide_the_compiled_code(tmp_path: Path) -> None:
    def key(**settings: object) -> str:
        env = Environment(loader=DictLoader({"t.html": "x"}), **settings)  # type: ignore[arg-type]
        cache = template_cache.template_code(env)
        assert cache is not None
        return cache.get_cache_key("t.html", "t.html")

    assert key() == key()
    assert len({key(), key(trim_blocks=True), key(autoescape=True), key(lstrip_blocks=True)}) == 4


def test_compiled_templates_no_build_reads_for_keep_days_are_pruned(tmp_path: Path, jinja_compiled: list[str]) -> None:
    first = build(tmp_path / "first")
    folder = tmp_path / "cache" / template_cache.FOLDER
    stale = time.time() - (template_cache.KEEP_DAYS + 1) * 86400
    ours = cache_files(tmp_path)
    for file in ours:
        os.utime(file, (stale, stale))
    old_version = folder / ("0" * 64 + ".cache")  # what an earlier coursepack compiled
    old_version.write_bytes(b"an old version's code")
    os.utime(old_version, (stale, stale))
    jinja_compiled.clear()
    assert build(tmp_path / "reads") == first and jinja_compiled == []
    # each file this build read is marked used, the unread one stays as it was: reading removes nothing
    assert all(file.stat().st_mtime > stale + 86400 for file in ours)
    assert old_version.exists()
    # a template compiled again (its file gone) is written, and the write prunes what is unused
    fresh_source = folder / ("1" * 64 + ".cache")
    fresh_source.write_bytes(b"used yesterday")
    yesterday = time.time() - 86400
    os.utime(fresh_source, (yesterday, yesterday))
    ours[0].unlink()
    jinja_compiled.clear()
    assert build(tmp_path / "compiles") == first and len(jinja_compiled) == 1
    assert not old_version.exists() and fresh_source.exists()
    assert len(cache_files(tmp_path)) == len(TEMPLATES) + 1
