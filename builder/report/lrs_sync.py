"""`report sync --lrs`: read a course's statements from an LRS into the report store.

- Incremental: each LRS + course remembers the latest `stored` time of its last finished sync (its
  high-water mark); the next sync asks for statements `since` that mark less OVERLAP. The overlap
  catches late statements: an offline queue delivers statements with old timestamps, and the spec's
  `since` filters on `stored` while Ralph's filters on `timestamp` (../shared/notes/lrs-ralph.md §2),
  so a statement stored after the mark can carry a timestamp before it. Ralph misses one whose
  timestamp is older than the overlap; a conformant LRS does not.
- Idempotent: a statement is stored once per LRS + course, by id, however often it is read.
- Resumable: each page is committed with the next page's link, so an interrupted sync (a crash, the
  LRS going down) keeps every page it read and the next sync continues from the page it stopped at.
  The mark only moves when a sync has read to the end: an LRS answering newest first would
  otherwise skip the older pages an interrupted sync never reached.
- Voiding: a stored `voided` statement removes its target from the evidence, whenever either arrives.
- Memory: on DuckDB the pages are stored, and the evidence rebuilt, under a fixed memory_limit
  (lrs_store.bounded_memory, engine.py), so a sync's memory does not grow with the statements stored.
- The evidence (lrs_evidence.py) of the learners with new statements (or a statement newly voided) is
  rebuilt from their stored statements at the end of each sync (lrs_rebuild.py); a sync with nothing
  new rebuilds nothing, a changed course rebuilds every learner.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from coursepack.report import lrs_store
from coursepack.report.lrs_client import LrsClient, LrsError
from coursepack.report.lrs_evidence import XapiCourse
from coursepack.report.lrs_rebuild import rebuild_evidence
from coursepack.report.store import Store
from coursepack.report.xapi_facts import StatementFacts, statement_facts
from coursepack.xapi import formats

OVERLAP = timedelta(days=1)
DEFAULT_LIMIT = 500
EXPIRED_LINK = (400, 404, 410)  # how an LRS refuses a `more` link it no longer keeps


class SyncError(Exception):
    """A one-line message: bad --since, a `more` loop."""


@dataclass
class SyncResult:
    source: str
    since: str | None  # what the sync asked for (None: everything)
    resumed: bool  # continued an interrupted sync
    pages: int = 0
    read: int = 0  # statements the LRS sent
    new: int = 0  # of which stored for the first time
    invalid: list[StatementFacts] = field(default_factory=list)  # new ones that are not valid xAPI
    learners: int = 0  # with evidence from this LRS + course
    rebuilt: int = 0  # learners whose evidence this sync rebuilt
    stored: int = 0  # statements stored for this LRS + course in all
    warnings: list[str] = field(default_factory=list)


def source_name(endpoint: str) -> str:
    return f"lrs:{endpoint}"


def since_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_since(text: str) -> datetime:
    """--since: an ISO 8601 date (midnight UTC) or date and time (UTC when it names no zone)."""
    value = text.strip()
    try:
        moment = formats.parse_timestamp(value + "T00:00:00Z" if _DATE.match(value) else value)
    except ValueError:
        raise SyncError("--since must be an ISO 8601 date or date and time, e.g. 2026-09-01 or "
                        f"2026-09-01T08:00:00Z (got '{text}')") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def sync(store: Store, client: LrsClient, course: XapiCourse, *, since: datetime | None = None,
         limit: int = DEFAULT_LIMIT, on_page: Callable[[int], None] | None = None) -> SyncResult:
    """Read the course's new statements page by page into the store, then rebuild the evidence.
    LrsError or SyncError when the LRS fails mid-way: every page read so far stays stored."""
    lrs_store.install(store)
    source = source_name(client.endpoint)
    state = lrs_store.read_state(store, source, course.course_id)
    if since is None and state.interrupted:
        asked, url, resumed = state.pending_since, state.pending_more, True
    else:
        start = since if since is not None else state.high_water - OVERLAP if state.high_water else None
        asked = since_text(start) if start is not None else None
        url, resumed = client.first_url(course.course_id, asked, limit), False
    result = SyncResult(source, asked, resumed)
    previous_ids: set[str] = set()
    asked_urls: set[str] = set()
    # on DuckDB, under the store's memory bound: the statements' table has no index that must stay in
    # memory (lrs_store.py), so the blocks written can be evicted and memory stays flat while storing
    with lrs_store.bounded_memory(store):
        while url is not None:
            if url in asked_urls:
                raise SyncError(f"the LRS's `more` link repeats itself after page {result.pages}: stopped")
            asked_urls.add(url)
            try:
                page = client.page(url, result.pages + 1)
            except LrsError as error:
                if not (resumed and result.pages == 0 and error.status in EXPIRED_LINK):
                    raise
                # the interrupted sync's next page is gone (an LRS may expire `more` links): start again
                lrs_store.forget_pending(store, source, course.course_id)
                result.warnings.append("the LRS no longer offers the page the interrupted sync stopped at: "
                                       f"read again since {asked or 'the start'}")
                state = lrs_store.read_state(store, source, course.course_id)
                url, resumed = client.first_url(course.course_id, asked, limit), False
                result.resumed = False
                continue
            facts = [statement_facts(raw) for raw in page.statements]
            ids = {f.statement_id for f in facts}
            if page.more is not None and ids and ids <= previous_ids:
                raise SyncError(f"the LRS sends page {result.pages + 1} again under another `more` link: stopped")
            previous_ids = ids
            # the mark is a `stored` time (the spec's since); an LRS that gives none: the timestamp
            page_high = max((f.stored or f.at for f in facts if (f.stored or f.at) is not None), default=None)
            new, state = lrs_store.store_page(store, source, course.course_id, facts, since=asked, more=page.more,
                                              page_high=page_high, state=state)
            result.pages += 1
            result.read += len(facts)
            result.new += len(new)
            result.invalid.extend(f for f in new if f.problem is not None)
            url = page.more
            if on_page is not None:
                on_page(len(facts))
    result.rebuilt = rebuild_evidence(store, course, source)
    result.learners = lrs_store.learners(store, source, course.course_id)
    result.stored, _ = lrs_store.counts(store, source, course.course_id)
    if result.stored == 0:
        result.warnings.append(f"the LRS holds no statements about {course.course_id}: is that the course id the "
                               "packages were built with (course.yaml `id`), and may this user read them?")
    return result
