"""`report sync --lrs` rebuilds the evidence of the learners with new statements only (lrs_rebuild.py).

Each test syncs twice or more into one store, checks which learners' evidence rows were written again
(their run_id changes; the others' rows stay byte for byte, run_id included), and compares the report
with one rebuilt from scratch: every statement synced once into a fresh store.
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from coursepack.load.course_loader import LoadedCourse, load_course
from coursepack.report import lrs_rebuild, lrs_store
from coursepack.report.lrs_client import LrsError
from coursepack.report.lrs_sync import SyncResult, source_name, sync
from coursepack.report.rules import Report, read_report, refresh_course
from coursepack.report.store import SOURCE_TABLES, open_store
from coursepack.xapi import vocabulary as v
from test_report_lrs import (
    ALICE, BASE, BOB, CARLA, DAN, FIRST, MODULES, QUIZ, XCOURSE, SpecLrs, play, quiz_result, rows, spec_sync,
    statement, voiding,
)
from conftest import REPO

START = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
SOURCE = source_name(SpecLrs.ENDPOINT)
KEYS = {"alice": "mailto:alice@example.org", "bob": "account:https://lms.example.org#bob", "carla": "sha1:" + "a" * 40}


def evidence(db: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every evidence row of the LRS source, run_id included, per learner key."""
    per_learner: dict[str, list[tuple[Any, ...]]] = {}
    with open_store(db) as store:
        for table in SOURCE_TABLES:
            columns = ", ".join((*table.columns, "run_id"))
            for row in store.execute(f"SELECT {columns} FROM {table.name} WHERE source = ? ORDER BY "
                                     f"{', '.join(table.key)}", [SOURCE]):
                per_learner.setdefault(row[1], []).append((table.name, *row))
    return per_learner


def from_scratch(tmp_path: Path, site: SpecLrs) -> Path:
    """Every statement the site holds synced once into a fresh store."""
    fresh = SpecLrs()
    fresh.stored = list(site.stored)
    db = tmp_path / "scratch.duckdb"
    spec_sync(db, fresh)
    return db


@functools.cache
def course() -> LoadedCourse:
    return load_course(REPO)


def read(db: Path | str) -> Report:
    with open_store(db) as store:
        refresh_course(store, course())
        return read_report(store, course().course.id)


def same_reports(db: Path, scratch: Path) -> None:
    """The same report from both stores: every field of every learner's row, the funnel and the
    course, which is everything `report show` renders as CSV or JSON (show.py formats only these).
    Read once per store, with the course loaded once per session, instead of a `report show` per
    store and format (each loading the course again): a fifth of this file's time."""
    assert read(db) == read(scratch)


def changed(before: dict[str, list], after: dict[str, list]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def four_learners() -> list[dict]:
    modules = [m for m, _ in MODULES]
    return [*play(ALICE, START, modules=modules[:2], finish=False), *play(BOB, START + timedelta(hours=1)),
            *play(CARLA, START + timedelta(hours=2), modules=modules[:3], finish=False),
            *play(DAN, START + timedelta(hours=3), quiz={FIRST: [0.5]})]


def four_learners_synced(tmp_path: Path, name: str = "r.duckdb") -> tuple[SpecLrs, Path, SyncResult]:
    """A site holding four_learners(), synced once into tmp_path/name: (site, store, the sync's result)."""
    site = SpecLrs()
    site.add(four_learners(), START + timedelta(days=1))
    db = tmp_path / name
    return site, db, spec_sync(db, site)


def test_a_second_sync_rebuilds_only_the_learner_with_new_statements(tmp_path) -> None:
    site, db, first = four_learners_synced(tmp_path)
    assert first.rebuilt == 4 and first.learners == 4
    before = evidence(db)

    # Alice comes back a day later for the rest of the course
    rest = [m for m, _ in MODULES][2:]
    site.add(play(ALICE, START + timedelta(days=1, hours=2), modules=rest), START + timedelta(days=2))
    second = spec_sync(db, site)
    assert second.rebuilt == 1 and second.learners == 4
    after = evidence(db)
    assert changed(before, after) == {KEYS["alice"]}
    assert {row[-1] for row in after[KEYS["alice"]]} != {row[-1] for row in before[KEYS["alice"]]}  # a new run
    same_reports(db, from_scratch(tmp_path, site))
    assert rows(db)["alice"]["status"] == "eligible"


def test_a_sync_with_nothing_new_writes_nothing(tmp_path) -> None:
    site, db, _ = four_learners_synced(tmp_path)
    before = evidence(db)
    with open_store(db) as store:
        runs = store.execute("SELECT COUNT(*) FROM import_run")[0][0]
    again = spec_sync(db, site)
    assert again.new == 0 and again.rebuilt == 0 and again.learners == 4
    assert evidence(db) == before
    with open_store(db) as store:
        assert store.execute("SELECT COUNT(*) FROM import_run")[0][0] == runs
        assert store.execute("SELECT COUNT(*) FROM lrs_stale")[0][0] == 0
        assert store.execute("SELECT COUNT(*) FROM import_scope")[0][0] == 0


def test_voiding_an_old_statement_rebuilds_that_learner_alone(tmp_path) -> None:
    site = SpecLrs()
    statements = four_learners()
    bogus = statement(BOB, v.PASSED, f"{BASE}/{FIRST}/quiz/{QUIZ[FIRST]}", START + timedelta(hours=9), result=quiz_result(1.0))
    site.add([*statements, bogus], START + timedelta(days=1))
    db = tmp_path / "r.duckdb"
    spec_sync(db, site)
    before = evidence(db)

    # voided by the LRS admin: the voiding statement's actor is not a learner of the course's evidence
    site.add([voiding(bogus, START + timedelta(days=3))], START + timedelta(days=3))
    voided = spec_sync(db, site)
    assert voided.new == 1
    after = evidence(db)
    assert changed(before, after) == {KEYS["bob"]}
    bob_quiz = [row for row in after[KEYS["bob"]] if row[0] == "quiz_result" and row[3] == QUIZ[FIRST]]
    assert [row[7] for row in bob_quiz] == [1]  # one attempt left: the voided pass is gone
    same_reports(db, from_scratch(tmp_path, site))


def test_a_voided_statement_read_after_its_voiding_statement_changes_nothing(tmp_path) -> None:
    """An LRS that sends the voiding statement first and the voided one on a later sync (Ralph sends
    voided statements; a conformant LRS does not): two sites with one endpoint, as one LRS over time."""
    late = statement(CARLA, v.PASSED, f"{BASE}/{FIRST}/quiz/{QUIZ[FIRST]}", START + timedelta(hours=9), result=quiz_result(1.0))
    earlier, later = SpecLrs(), SpecLrs()
    earlier.add(four_learners(), START + timedelta(days=1))
    earlier.stored.append({**voiding(late, START + timedelta(hours=10)), "stored": "2026-11-03T10:00:00.000Z"})
    earlier._matches = lambda s, activity, by_id: True  # type: ignore[method-assign]  # its target is not there yet
    db = tmp_path / "r.duckdb"
    spec_sync(db, earlier)
    before = evidence(db)
    later.add([late], START + timedelta(days=2))
    synced = spec_sync(db, later)
    assert synced.new == 1 and synced.rebuilt == 1
    after = evidence(db)
    assert changed(before, after) == {KEYS["carla"]}  # rebuilt: a new run id on the same rows
    assert [row[:-1] for row in after[KEYS["carla"]]] == [row[:-1] for row in before[KEYS["carla"]]]
    scratch = SpecLrs()
    scratch.stored = [*earlier.stored, *later.stored]
    scratch._matches = earlier._matches  # type: ignore[method-assign]
    scratch_db = tmp_path / "scratch.duckdb"
    spec_sync(scratch_db, scratch)
    same_reports(db, scratch_db)


def test_a_changed_course_rebuilds_every_learner(tmp_path) -> None:
    site, db, _ = four_learners_synced(tmp_path)
    before = evidence(db)
    moved = dataclasses.replace(XCOURSE, completion_modules=XCOURSE.completion_modules[:1])
    assert lrs_rebuild.course_fingerprint(moved) != lrs_rebuild.course_fingerprint(XCOURSE)
    with site.client() as client, open_store(db) as store:
        result = sync(store, client, moved)
    assert result.new == 0 and result.rebuilt == 4
    assert changed(before, evidence(db)) == set(before)
    with site.client() as client, open_store(db) as store:
        assert sync(store, client, moved).rebuilt == 0


def test_an_interrupted_sync_leaves_its_learners_stale_and_the_next_one_rebuilds_them(tmp_path) -> None:
    site, db, _ = four_learners_synced(tmp_path)
    rest = [m for m, _ in MODULES][2:]
    site.add([*play(ALICE, START + timedelta(days=1), modules=rest), *play(CARLA, START + timedelta(days=1, hours=1),
                                                                           modules=rest)],
             START + timedelta(days=2))
    site.fail[len(site.requests) + 2] = lambda request: (_ for _ in ()).throw(httpx.ReadError("connection reset"))
    with pytest.raises(LrsError):
        spec_sync(db, site, limit=40)
    with open_store(db) as store:
        stale = lrs_store.stale_learners(store, SOURCE, XCOURSE.course_id)
    assert stale and set(stale) <= {KEYS["alice"], KEYS["carla"]}
    resumed = spec_sync(db, site, limit=40)
    assert resumed.resumed and resumed.rebuilt == 2
    same_reports(db, from_scratch(tmp_path, site))


def test_small_batches_give_the_same_evidence_as_one(tmp_path, monkeypatch) -> None:
    site, whole, _ = four_learners_synced(tmp_path, "whole.duckdb")
    monkeypatch.setattr(lrs_rebuild, "BATCH_LEARNERS", 1)
    batched = tmp_path / "batched.duckdb"
    spec_sync(batched, site)
    strip = lambda rows: {k: [row[:-1] for row in v] for k, v in rows.items()}  # noqa: E731 (run ids differ)
    assert strip(evidence(batched)) == strip(evidence(whole))
    with open_store(batched) as store:
        assert store.execute("SELECT COUNT(*) FROM import_run")[0][0] == 4  # a partial import per learner
    same_reports(batched, whole)


def test_a_partial_import_refuses_a_learner_it_does_not_replace(tmp_path) -> None:
    from coursepack.report.evidence import ImportBatch, Learner, LearnerEvidence

    with open_store(tmp_path / "r.duckdb") as store:
        batch = ImportBatch("test", XCOURSE.course_id, [LearnerEvidence(Learner("mailto:x@example.org", "X", None, None))])
        with pytest.raises(ValueError, match="mailto:x@example.org"):
            store.write_import(batch, learners=["mailto:y@example.org"])
