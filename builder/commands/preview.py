"""`coursepack preview`: the course in an LMS-like page on 127.0.0.1, rebuilt on every save."""

from __future__ import annotations

import sys
import webbrowser
from pathlib import Path

import click

from coursepack.commands.common import EXIT_USER_ERROR, course_dir_argument, load_or_exit
from coursepack.load.course_loader import COURSE_FILE
from coursepack.model.course import EDITIONS
from coursepack.preview.lms_runtimes import LMS_RUNTIMES
from coursepack.preview.server import HOST, PortInUse, PreviewServer
from coursepack.preview.watcher import WATCHED

WAKE_SECONDS = 0.2  # how soon Ctrl+C is seen when the signal went to another thread


@click.command()
@course_dir_argument
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help=f"Port on {HOST} (0: any free port). The preview never listens on another address.")
@click.option("--target", type=click.Choice(list(LMS_RUNTIMES)), default="scorm12", show_default=True,
              help="The standard the course is built for and the LMS side the page plays: scorm-again for SCORM, "
                   "an in-process LRS (and, for cmi5, the LMS's launch) for xAPI and cmi5.")
@click.option("--edition", type=click.Choice(EDITIONS), default="standard", show_default=True,
              help="The edition shown first; the page's 'Switch edition' button shows the other.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the default web browser.")
def preview(course_dir: Path, port: int, target: str, edition: str, open_browser: bool) -> None:
    """Preview COURSE_DIR (default: the current folder) in an LMS-like page.

    Builds in memory (nothing is written to dist/) and serves the course on
    http://127.0.0.1:PORT/ beside an LMS panel that shows every value the course
    sends (SCORM values, or xAPI/cmi5 statements), the saved state's size against
    the target's limit, and the status and score the LMS would show. Saving course.yaml, a module or an asset rebuilds and
    reloads the course where the learner was; a problem shows over the page as
    FILE:LINE:COL (and here), and the last good build stays. Ctrl+C stops it.
    """
    if not (course_dir / COURSE_FILE).is_file():
        load_or_exit(course_dir)  # prints why there is no course here and exits 2
    try:
        server = PreviewServer(course_dir, target=target, edition=edition, port=port, log=lambda line: click.echo(line, err=True))
    except PortInUse as error:
        click.echo(f"{error.strerror} (expected a free port; --port 0 picks one)", err=True)
        sys.exit(EXIT_USER_ERROR)
    try:
        report = server.start()
        if report.ok and edition not in report.editions:
            click.echo(f"{course_dir / COURSE_FILE}: no '{edition}' edition (no certificate section); showing the standard edition", err=True)
        click.echo(f"Previewing {report.title or course_dir} as {server.runtime.label} at {server.url}")
        click.echo(f"Watching {', '.join(WATCHED)} in {course_dir} ({server.watch_mode}); Ctrl+C stops the preview.")
        if open_browser:
            webbrowser.open(server.url)
        # The server and the watcher run in their own threads. Wait in short steps, not forever: the
        # kernel may hand Ctrl+C's signal to one of those threads, and Python then raises it in the main
        # thread only when that thread next runs, which a wait without a timeout never does.
        while not server.stopping.wait(WAKE_SECONDS):
            pass
    except KeyboardInterrupt:
        click.echo("Preview stopped.")
    finally:
        server.close()
