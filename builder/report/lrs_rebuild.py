"""The evidence of an LRS + course rebuilt after a sync: only for the stale learners (lrs_store.py:
those with new statements, or with a statement newly voided), in batches of learners.

- A sync with nothing new rebuilds nothing. A new statement of learner A, or a new voiding statement
  of one of A's statements, rebuilds A alone: a learner's evidence depends only on their own
  statements and on the course, so the other learners' rows stay as they were.
- When the course changed (another XapiCourse fingerprint: modules, pages, quizzes, points,
  reflections) or the store has no fingerprint yet (its first sync, or a store from before this),
  every learner is stale.
- Batches of BATCH_LEARNERS learners, each read in order, summed up and stored as a partial import
  (Store.write_import with the batch's learners), so memory follows the batch, not the store: the
  database sorts one batch's statements, Python holds one batch's evidence.
- Under a fixed memory_limit on DuckDB (lrs_store.bounded_memory, engine.py): its buffer pool would
  otherwise keep every block of the statements' table the batches read (730-870 MB over a 10 M store).
- A crash mid-way leaves the learners not yet rebuilt stale (and the fingerprint unchanged): the next
  sync rebuilds them; rebuilding a learner twice gives the same rows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from coursepack.report import lrs_store
from coursepack.report.lrs_evidence import XapiCourse, build_batch
from coursepack.report.store import Store

BATCH_LEARNERS = 1_000  # about 100,000 statements: ~250 MB for the sorted read at 1 M (5,000: ~750 MB)


def course_fingerprint(course: XapiCourse) -> str:
    """A hash of what reading statements knows about the course (sets as sorted lists)."""
    text = json.dumps(dataclasses.asdict(course), sort_keys=True, default=sorted)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rebuild_evidence(store: Store, course: XapiCourse, source: str) -> int:
    """Store the stale learners' evidence again; returns how many learners were rebuilt."""
    fingerprint = course_fingerprint(course)
    if lrs_store.evidence_basis(store, source, course.course_id) != fingerprint:
        lrs_store.mark_all_stale(store, source, course.course_id)
    stale = lrs_store.stale_learners(store, source, course.course_id)
    if stale:  # a sync with nothing new skips even the checkpoint bounded_memory begins with
        with lrs_store.bounded_memory(store):
            for start in range(0, len(stale), BATCH_LEARNERS):
                keys = stale[start : start + BATCH_LEARNERS]
                rows = lrs_store.evidence_rows(store, source, course.course_id, keys[0], keys[-1])
                store.write_import(build_batch(course, source, rows), learners=keys)
    lrs_store.evidence_rebuilt(store, source, course.course_id, fingerprint)
    return len(stale)
