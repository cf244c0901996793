"""`coursepack report`: import what an LMS or an LRS recorded into the report store, and show who did what.

  coursepack report import moodle --url URL --token-stdin [--cmid N | --scorm-id N] [--db PATH|URL] [COURSE_DIR]
  coursepack report import moodle --files FILE... [--cmid N | --scorm-id N] [--db PATH|URL] [COURSE_DIR]
  coursepack report import canvas --url URL --token-stdin --course-id N --assignment-id N [--db PATH|URL] [COURSE_DIR]
  coursepack report import canvas --files GRADEBOOK.csv [--assignment-id N] [--db PATH|URL] [COURSE_DIR]
  coursepack report sync --lrs URL [--since ISO] [--user USER --password-stdin] [--db PATH|URL] [COURSE_DIR]
  coursepack report show [--format table|csv|json|html] [--out FILE] [--db PATH|URL] [COURSE_DIR]
  coursepack report reflections --out FILE [--format csv|json] [--db PATH|URL] [COURSE_DIR]

Imports and syncs take --keep-reflections to keep the reflections' texts (only their lengths otherwise).

Errors print as one line and exit 2. The Moodle token and the LRS password are read from standard
input or the environment, never from an argument (arguments show in process lists and shell
history), and are never printed or stored.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from coursepack.commands.common import EXIT_USER_ERROR, course_dir_argument, load_or_exit
from coursepack.report.store import StoreError, default_db, open_store

# Each verb imports the readers it uses when it runs (httpx, the statement models, the Moodle and Canvas
# readers are heavy to import): `report show` pays for the store and the rules only.
if TYPE_CHECKING:
    from coursepack.report.evidence import ImportBatch
    from coursepack.report.lrs_sync import SyncResult
    from coursepack.report.reflections import ReflectionText

TOKEN_ENV = "COURSEPACK_MOODLE_TOKEN"
CANVAS_TOKEN_ENV = "COURSEPACK_CANVAS_TOKEN"
LRS_USER_ENV = "COURSEPACK_LRS_USER"
LRS_PASSWORD_ENV = "COURSEPACK_LRS_PASSWORD"
SYNC_PAGE_LIMIT = 500  # statements asked for per page: lrs_sync.DEFAULT_LIMIT (a test holds them equal)
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl+C

db_option = click.option(
    "--db", default=None, metavar="PATH|URL",
    help="The report store: a DuckDB file, or a PostgreSQL database as postgresql://USER@HOST/DB "
         "(password from PGPASSWORD or ~/.pgpass)  [default: COURSE_DIR/.coursepack/report.duckdb]",
)


keep_reflections_option = click.option(
    "--keep-reflections", is_flag=True,
    help="Also keep the texts of the reflection answers the source delivers (personal data; otherwise only "
         "their lengths are stored), for `report reflections`.",
)


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USER_ERROR)


def _db(db: str | None, course_dir: Path) -> str:
    return db if db is not None else str(default_db(course_dir))


@click.group()
def report() -> None:
    """Completion reports and certificate eligibility from what an LMS or an LRS recorded.

    Import a SCORM activity's data with `report import moodle` or `report import
    canvas`, or read the course's
    xAPI statements with `report sync --lrs`, then see every learner's progress and what
    is still open with `report show`.
    """


@report.group("import")
def import_group() -> None:
    """Read learners' data from an LMS into the report store."""


def _read_token(token_stdin: bool, env: str = TOKEN_ENV) -> str:
    if token_stdin:
        token = sys.stdin.readline().strip()
        if not token:
            fail("--token-stdin: nothing on standard input (pipe the token in, e.g. from your password manager)")
        return token
    token = os.environ.get(env, "").strip()
    if not token:
        fail(f"give the token on standard input with --token-stdin, or in {env} (never as an argument)")
    return token


def _split_paths(paths: tuple[Path, ...], use_files: bool) -> tuple[list[Path], Path]:
    """The downloaded files and the course folder among the arguments (the folder may come anywhere)."""
    folders = [p for p in paths if p.is_dir()]
    files = [p for p in paths if not p.is_dir()]
    if len(folders) > 1:
        fail(f"more than one course folder given: {', '.join(map(str, folders))}")
    if files and not use_files:
        fail(f"{files[0]}: not a course folder (downloaded reports are given with --files)")
    return files, folders[0] if folders else Path(".")


@import_group.command("moodle")
@click.option("--url", default=None, help="The Moodle site's address, e.g. https://lms.example.org (web services).")
@click.option("--token-stdin", is_flag=True, help=f"Read the web-service token from standard input (else {TOKEN_ENV}).")
@click.option("--files", "use_files", is_flag=True,
              help="Read downloaded reports instead: the FILE arguments (SCORM Interactions report as CSV, "
                   "optionally the Basic report and the gradebook or activity completion export).")
@click.option("--cmid", type=int, default=None, help="The activity's course module id (the id= in its address).")
@click.option("--scorm-id", type=int, default=None, help="The activity's SCORM instance id.")
@click.option("--timezone", "zone", default="UTC", show_default=True,
              help="Time zone of the dates in downloaded reports (the downloading user's Moodle time zone).")
@keep_reflections_option
@db_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[FILE]... [COURSE_DIR]")
def moodle(url: str | None, token_stdin: bool, use_files: bool, cmid: int | None, scorm_id: int | None,
           zone: str, keep_reflections: bool, db: str | None, paths: tuple[Path, ...]) -> None:
    """Import one SCORM activity of this course from Moodle.

    From the web services: --url URL with the token on standard input (--token-stdin) or in
    COURSEPACK_MOODLE_TOKEN; choose the activity with --cmid or --scorm-id when the site has several.
    From downloads (no token): --files FILE..., the files a teacher downloaded; --cmid then only
    names the activity in the store. Either way the import replaces what the same source stored before.
    With --keep-reflections (web services only) the reflections' texts are kept too.
    """
    from coursepack.report.course_map import course_map
    from coursepack.report.moodle_files import FilesError, read_files
    from coursepack.report.moodle_ws import MoodleClient, MoodleError, read_activity
    from coursepack.report.reflections import ReflectionKeepingMoodleClient

    if (url is None) == (not use_files):
        fail("give either --url (web services) or --files (downloaded reports), not both or neither")
    if cmid is not None and scorm_id is not None:
        fail("give --cmid or --scorm-id, not both")
    files, course_dir = _split_paths(paths, use_files)
    loaded = load_or_exit(course_dir)
    course = course_map(loaded)
    if keep_reflections and use_files:
        fail("--keep-reflections reads the texts from the web services: the downloads are not read for them")
    batch: ImportBatch
    texts: list[ReflectionText] = []
    try:
        if url is not None:
            token = _read_token(token_stdin)
            keeper = ReflectionKeepingMoodleClient(url, token) if keep_reflections else None
            client = keeper or MoodleClient(url, token)
            try:
                batch = read_activity(client, course, cmid=cmid, scorm_id=scorm_id)
                if keeper is not None:
                    texts = keeper.reflection_texts(batch, {r.id: r.module_id for r in course.reflections.values()})
            finally:
                client.close()
        else:
            if not files:
                fail("--files needs at least one downloaded report")
            label = f"#cmid={cmid}" if cmid is not None else f"#scorm-id={scorm_id}" if scorm_id is not None else ""
            batch = read_files(files, course, zone=zone, source=f"moodle-files{label}")
        location = _store_import(batch, db, course_dir, texts if keep_reflections else None)
    except (MoodleError, FilesError, StoreError) as error:
        fail(str(error))
    _import_summary(batch, location, texts if keep_reflections else None)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _store_import(batch: ImportBatch, db: str | None, course_dir: Path, texts: list[ReflectionText] | None) -> str:
    """Store the import (and, when asked, the reflections' texts); the store's location for messages."""
    from coursepack.report.reflections import keep_texts

    with open_store(_db(db, course_dir)) as store:
        store.write_import(batch)
        if texts is not None:
            keep_texts(store, batch.course_id, batch.source, texts, _now())
        return store.location


def _import_summary(batch: ImportBatch, location: str, texts: list[ReflectionText] | None) -> None:
    for warning in batch.warnings:
        click.echo(f"warning: {warning}", err=True)
    started = sum(1 for learner in batch.learners if learner.sessions)
    click.echo(f"{len(batch.learners)} learners ({started} with an attempt) from {batch.source} stored in {location}")
    if texts is not None:
        click.echo(f"{len(texts)} reflection answers kept (personal data: see `coursepack report reflections`)")


@import_group.command("canvas")
@click.option("--url", default=None, help="The Canvas site's address, e.g. https://school.instructure.com (REST API).")
@click.option("--token-stdin", is_flag=True, help=f"Read the API access token from standard input (else {CANVAS_TOKEN_ENV}).")
@click.option("--course-id", type=int, default=None, help="The Canvas course's id (the number in /courses/N).")
@click.option("--assignment-id", type=int, default=None,
              help="The SCORM assignment's id (the number in /assignments/N; in the gradebook CSV, the one in its column's brackets).")
@click.option("--files", "use_files", is_flag=True, help="Read a downloaded gradebook export (CSV) instead: the FILE argument.")
@click.option("--edition", type=click.Choice(["standard", "certificate"]), default=None,
              help="The edition of the package in the assignment  [default: certificate when the course has one]")
@db_option
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[GRADEBOOK.csv] [COURSE_DIR]")
def canvas(url: str | None, token_stdin: bool, course_id: int | None, assignment_id: int | None, use_files: bool,
           edition: str | None, db: str | None, paths: tuple[Path, ...]) -> None:
    """Import one SCORM assignment of this course from Canvas.

    Canvas keeps one score per learner: a score at the pass mark of a scored edition counts as the
    course completed; any other attempt as in progress. Per-module progress, quiz scores and
    reflections are not in Canvas. From the REST API: --url URL --course-id N --assignment-id N with
    the token on standard input (--token-stdin) or in COURSEPACK_CANVAS_TOKEN. From a gradebook
    export: --files GRADEBOOK.csv (--assignment-id when it has several assignments)."""
    from coursepack.report.canvas_api import CanvasClient, CanvasError, read_assignment
    from coursepack.report.canvas_evidence import canvas_batch
    from coursepack.report.canvas_files import CanvasFilesError, read_gradebook

    if (url is None) == (not use_files):
        fail("give either --url (REST API) or --files (a gradebook export), not both or neither")
    files, course_dir = _split_paths(paths, use_files)
    loaded = load_or_exit(course_dir)
    chosen = edition or ("certificate" if loaded.course.certificate else "standard")
    if chosen == "certificate" and not loaded.course.certificate:
        fail("--edition certificate: this course has no certificate edition")
    try:
        if url is not None:
            if course_id is None or assignment_id is None:
                fail("--url needs --course-id and --assignment-id")
            token = _read_token(token_stdin, CANVAS_TOKEN_ENV)
            with CanvasClient(url, token) as client:
                _name, records = read_assignment(client, course_id, assignment_id)
            source = f"canvas:{client.site}#course={course_id}&assignment={assignment_id}"
        else:
            if len(files) != 1:
                fail("--files needs exactly one gradebook export (CSV)")
            _name, found_id, records = read_gradebook(files[0], assignment_id)
            source = f"canvas-files#assignment={found_id}"
        batch = canvas_batch(records, loaded, chosen, source)
        location = _store_import(batch, db, course_dir, None)
    except (CanvasError, CanvasFilesError, StoreError) as error:
        fail(str(error))
    _import_summary(batch, location, None)


def _lrs_credentials(user: str | None, password_stdin: bool) -> tuple[str, str]:
    user = user if user is not None else os.environ.get(LRS_USER_ENV, "")
    if not user.strip():
        fail(f"give the LRS user with --user or in {LRS_USER_ENV}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("--password-stdin: nothing on standard input (pipe the password in, e.g. from your password manager)")
    else:
        password = os.environ.get(LRS_PASSWORD_ENV, "")
        if not password:
            fail(f"give the LRS password on standard input with --password-stdin, or in {LRS_PASSWORD_ENV} (never as an argument)")
    return user.strip(), password


def _sync_summary(result: SyncResult, location: str) -> str:
    pages = f"{result.pages} page{'s' if result.pages != 1 else ''}"
    return (f"{result.read:,} statements read ({result.new:,} new) in {pages} from {result.source}; "
            f"{result.stored:,} stored in all, {result.learners} learners, in {location}")


def _invalid_summary(result: SyncResult) -> str:
    first = result.invalid[0]
    count = len(result.invalid)
    return (f"{count} statement{'s' if count != 1 else ''} not valid xAPI 1.0.3 stored as such and left out of the "
            f"report (first: {first.statement_id}: {first.problem}); everything else is stored")


@report.command()
@click.option("--lrs", "endpoint", required=True, metavar="URL",
              help="The LRS's xAPI endpoint, e.g. https://lrs.example.org/xAPI/")
@click.option("--since", default=None, metavar="ISO",
              help="Read statements from this date or time (UTC) on. Default: from the last finished sync, "
                   "less a day for late statements; the first sync reads everything.")
@click.option("--user", default=None, help=f"The LRS user (HTTP Basic); else {LRS_USER_ENV}.")
@click.option("--password-stdin", is_flag=True, help=f"Read the LRS password from standard input (else {LRS_PASSWORD_ENV}).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=SYNC_PAGE_LIMIT, show_default=True,
              help="Statements per request (an LRS may send fewer).")
@keep_reflections_option
@db_option
@course_dir_argument
def sync(endpoint: str, since: str | None, user: str | None, password_stdin: bool, limit: int, keep_reflections: bool,
         db: str | None, course_dir: Path) -> None:
    """Read the course's xAPI statements from an LRS into the report store.

    Asks for the statements about the course (activity = the course id in course.yaml, with
    related activities), page by page, each page stored as it arrives: a sync that stops
    half-way keeps what it read, and the next one continues. Later syncs ask only for what is
    new since the last (less a day, for statements that arrive late); a statement is stored once.
    The password comes from standard input (--password-stdin) or COURSEPACK_LRS_PASSWORD and
    is never printed or stored. With --keep-reflections the reflections' texts in the statements
    this sync reads are kept too."""
    from coursepack.report.course_map import course_map
    from coursepack.report.lrs_client import LrsClient, LrsError
    from coursepack.report.lrs_evidence import xapi_course
    from coursepack.report.lrs_sync import SyncError, parse_since, source_name
    from coursepack.report.lrs_sync import sync as sync_statements
    from coursepack.report.progress import RateLine
    from coursepack.report.reflections import ReflectionKeepingLrsClient, keep_texts

    loaded = load_or_exit(course_dir)
    course = xapi_course(loaded, course_map(loaded))
    credentials = _lrs_credentials(user, password_stdin)
    progress = RateLine(lambda text: click.echo(text, err=True, nl=False),
                        terminal=sys.stderr.isatty())
    try:
        start = parse_since(since) if since is not None else None
        kept = 0
        keeper = ReflectionKeepingLrsClient(endpoint, *credentials, course=course) if keep_reflections else None
        client = keeper or LrsClient(endpoint, *credentials)
        with client, open_store(_db(db, course_dir)) as store:
            try:
                result = sync_statements(store, client, course, since=start, limit=limit, on_page=progress.add)
            finally:
                # the texts of every page read are kept, also when the sync stops half-way
                if keeper is not None:
                    kept = keep_texts(store, course.course_id, source_name(keeper.endpoint), keeper.texts, _now())
            location = store.location
    except (LrsError, SyncError, StoreError) as error:
        progress.finish()
        fail(f"{error} (the statements read so far are stored; the next sync continues)"
             if progress.count else str(error))
    except KeyboardInterrupt:
        progress.finish()
        click.echo(f"interrupted: {progress.count:,} statements read and stored; the next sync continues", err=True)
        sys.exit(EXIT_INTERRUPTED)
    progress.finish()
    if result.resumed:
        click.echo("continued the sync that was interrupted, from the page it stopped at", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(_sync_summary(result, location))
    if keep_reflections:
        click.echo(f"{kept} reflection answers kept (personal data: see `coursepack report reflections`)")
    if result.invalid:
        fail(_invalid_summary(result))


FORMATS = ("table", "csv", "json", "html")


@report.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table for the terminal, csv for Excel (UTF-8 with BOM), json, or html (one self-contained page).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE instead of standard output.")
@db_option
@course_dir_argument
def show(fmt: str, out: Path | None, db: str | None, course_dir: Path) -> None:
    """A row per learner: progress, scores, status and the rules still open.

    Columns: name, identifier, modules completed, best quiz scores, reflections answered, first and
    last activity (UTC), total time, status (not started, in progress, completed, eligible), the rules
    still open and the certificate id. Judged by the rules in COURSE_DIR's course.yaml as it is now."""
    from coursepack.report.rules import read_report, refresh_course
    from coursepack.report.show import csv_bytes, json_text, table, with_certificate_ids

    loaded = load_or_exit(course_dir)
    location = _db(db, course_dir)
    if "://" not in location and not Path(location).exists():  # rather than create an empty store and show nobody
        fail(f"{location}: no report store yet (import data first: coursepack report import moodle ... or report sync --lrs ...)")
    try:
        with open_store(location) as store:
            refresh_course(store, loaded)
            result = with_certificate_ids(store, read_report(store, loaded.course.id))
    except StoreError as error:
        fail(str(error))
    data: bytes
    if fmt == "csv":
        data = csv_bytes(result)
    elif fmt == "json":
        data = json_text(result).encode("utf-8")
    elif fmt == "html":
        from coursepack.report.show_html import html_page  # the page's template only when asked for

        data = html_page(result).encode("utf-8")
    else:
        data = table(result).encode("utf-8")
    if out is None:
        click.echo(data, nl=False)
        return
    _write_out(out, data)
    click.echo(f"wrote {out} ({len(result.rows)} learners)", err=True)


def _write_out(out: Path, data: bytes) -> None:
    """Whole or not at all: written beside, then renamed."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.partial")
        partial.write_bytes(data)
        partial.replace(out)
    except OSError as error:
        fail(f"{out}: cannot write ({error.strerror or error})")


@report.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The file to write.")
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True,
              help="csv for Excel (UTF-8 with BOM) or json.")
@db_option
@course_dir_argument
def reflections(out: Path, fmt: str, db: str | None, course_dir: Path) -> None:
    """Export the reflection answers kept for facilitators (opt-in).

    A row per learner and reflection: name, identifier, module, reflection id, the text and when it
    was answered (UTC). Texts are kept only by an import or sync run with --keep-reflections; the
    file holds personal data: share it as your organisation requires."""
    from coursepack.report.course_map import course_map
    from coursepack.report.reflections import csv_bytes as reflections_csv
    from coursepack.report.reflections import json_text as reflections_json
    from coursepack.report.reflections import read_texts

    loaded = load_or_exit(course_dir)
    location = _db(db, course_dir)
    if "://" not in location and not Path(location).exists():
        fail(f"{location}: no report store yet (import with --keep-reflections first)")
    order = {r.id: i for i, r in enumerate(course_map(loaded).reflections.values())}
    try:
        with open_store(location) as store:
            rows = read_texts(store, loaded.course.id, order)
    except StoreError as error:
        fail(str(error))
    if not rows:
        fail(f"{location}: no reflection texts kept for {loaded.course.id} (run an import or a sync with --keep-reflections)")
    data = reflections_csv(rows) if fmt == "csv" else reflections_json(rows, loaded.course.id).encode("utf-8")
    _write_out(out, data)
    click.echo(f"wrote {out} ({len(rows)} answers)", err=True)
