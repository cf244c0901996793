"""A DuckDB store's sync, storing its pages and rebuilding the evidence, runs under a fixed memory_limit
(engine.REBUILD_MEMORY_LIMIT, or $COURSEPACK_REBUILD_MEMORY_LIMIT), so its buffer pool does not keep
every block of the statements it wrote or read (the statements' table has no index that must stay in
memory: tests/test_report_store_dedupe.py); `report show` keeps DuckDB's default (its hash tables would
spill). The figures are in bench/README.md, "Round 5: memory" and "Round 6"."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from coursepack.report import engine, lrs_store
from coursepack.report.lrs_sync import sync
from coursepack.report.store import Store, StoreError, open_store
from test_report_lrs import ALICE, XCOURSE, SpecLrs, play

START = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)


def as_duckdb_shows(limit: str) -> str:
    """memory_limit as DuckDB reports it once set to `limit` ('256MB' reads '244.1 MiB')."""
    with duckdb.connect(config={"memory_limit": limit}) as con:
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def memory_limit(store: Store) -> str:
    ((limit,),) = store.execute("SELECT current_setting('memory_limit')")
    return limit


def limits_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """A sync of one learner's statements; the memory_limit while pages are stored, while the rebuild
    stores evidence, and before and after."""
    seen: dict[str, set[str]] = {"opened": set(), "storing": set(), "rebuilding": set(), "after": set()}
    for method, phase in (("insert_rows", "storing"), ("write_import", "rebuilding")):
        original = getattr(Store, method)

        def recording(self: Store, *args, _original=original, _phase=phase, **kwargs):
            if _phase == "rebuilding" or args[0] == "xapi_statement":
                seen[_phase].add(memory_limit(self))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Store, method, recording)
    site = SpecLrs()
    site.add(play(ALICE, START), START)
    with site.client() as client, open_store(tmp_path / "r.duckdb") as store:
        seen["opened"].add(memory_limit(store))  # as `report show` opens it
        assert sync(store, client, XCOURSE).rebuilt == 1
        seen["after"].add(memory_limit(store))
    return seen


def test_the_sync_runs_under_the_limit_and_show_does_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(engine.REBUILD_MEMORY_ENV, raising=False)
    with duckdb.connect() as con:
        default = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    bounded = as_duckdb_shows(engine.REBUILD_MEMORY_LIMIT)
    assert bounded != default
    assert limits_seen(tmp_path, monkeypatch) == {"opened": {default}, "storing": {bounded}, "rebuilding": {bounded},
                                                   "after": {default}}


def test_the_environment_overrides_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engine.REBUILD_MEMORY_ENV, "1GB")
    seen = limits_seen(tmp_path, monkeypatch)
    assert seen["storing"] == seen["rebuilding"] == {as_duckdb_shows("1GB")}


def test_a_bad_override_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engine.REBUILD_MEMORY_ENV, "lots'; DROP TABLE learner; --")
    with open_store(tmp_path / "r.duckdb") as store:
        with pytest.raises(StoreError, match=f"{engine.REBUILD_MEMORY_ENV} must be a size such as 512MB"):
            with lrs_store.bounded_memory(store):
                pass


def test_a_limit_duckdb_cannot_meet_leaves_the_rebuild_unbounded(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows another transaction has not committed are pinned: the limit cannot be met, and the rebuild
    goes on without it rather than fail the sync."""
    monkeypatch.setenv(engine.REBUILD_MEMORY_ENV, "1MB")
    db = engine.DuckDatabase(tmp_path / "r.duckdb")
    try:
        db.execute("CREATE TABLE t (k VARCHAR PRIMARY KEY)")
        other = db._connection.cursor()
        other.execute("BEGIN")
        other.execute("INSERT INTO t SELECT uuid()::VARCHAR FROM range(30000)")
        with db.bounded_memory():
            ((inside,),) = db.execute("SELECT current_setting('memory_limit')")
        assert inside != as_duckdb_shows("1MB")
    finally:
        db.close()
