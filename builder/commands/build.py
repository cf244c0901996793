"""`coursepack build`: write one zip per target and edition, all or nothing."""

from __future__ import annotations

import gc
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from coursepack.commands.build_progress import BuildProgress
from coursepack.commands.build_workers import make_runs, runs, worker_count
from coursepack.commands.common import course_dir_argument, load_or_exit, report_and_exit
from coursepack.load.course_loader import LoadedCourse
from coursepack.load.errors import CourseError
from coursepack.model.course import EDITIONS
from coursepack.render.kept_markdown import KeptMarkdown
from coursepack.render.render_cache import RenderCache
from coursepack.targets.fit import fit_problems
from coursepack.targets.package import package_files
from coursepack.targets.registry import TARGETS, package_name
from coursepack.targets.zipper import SpillFile, write_zip


def build_packages(loaded: LoadedCourse, targets: list[str], editions: list[str], folder: Path, *,
                   per_module: bool | None = None, splits: Mapping[str, bool | None] | None = None,
                   on_package: Callable[[int], None] | None = None, workers: int = 1, kept: KeptMarkdown | None = None) -> list[Path]:
    """Write one zip per target and edition into folder, listed target by target; raises CourseError
    when one cannot be built. per_module None: each target's default split; splits: per target, instead.
    on_package(n) is called as the n-th package (1-based) is started, for a progress line. workers > 1:
    the packages are cut into that many runs, each made in a process of its own (build_workers).

    Each run shares one RenderCache: each Markdown text is rendered once per run, and each unit's page
    once per edition, since every target of an edition is made before the next edition. kept: Markdown
    HTML kept by earlier builds, reused, and given what this build renders (a worker's renders are not).
    What grows with the course's pages waits in two spill files in folder rather than in memory: the
    edition's shared pages (the RenderCache's) and the package's launch pages until its zip is written."""
    for target_name in targets:  # the first problem found is the one `build` always reported first
        for edition_name in editions:
            problems = fit_problems(loaded, target_name, edition_name, per_module=_split(target_name, per_module, splits))
            if problems:
                raise CourseError(problems)
    order = [(target_name, edition_name) for edition_name in editions for target_name in targets]

    def make_run(run: Sequence[int], started: Callable[[int], None]) -> None:
        shared_pages, launch_pages = SpillFile(folder), SpillFile(folder)  # each process its own
        try:
            renders = RenderCache(kept, spill=shared_pages, editions=len({order[i][1] for i in run}))  # contents kept for a second edition
            checked_assets: dict[str, Path] = {}  # each asset file checked once a run
            for index in run:
                target_name, edition_name = order[index]
                started(index)
                files = package_files(loaded, target_name, edition_name, per_module=_split(target_name, per_module, splits),
                                      renders=renders, spill=launch_pages, checked_assets=checked_assets)
                write_zip(files, folder / package_name(loaded, target_name, edition_name))
                del files  # written: not held while the next package is made
                launch_pages.clear()
        finally:
            shared_pages.close()
            launch_pages.close()

    make_runs(runs(len(order), workers), make_run, on_package)
    return [folder / package_name(loaded, t, e) for t in targets for e in editions]


def _split(target_name: str, per_module: bool | None, splits: Mapping[str, bool | None] | None) -> bool | None:
    return splits[target_name] if splits is not None and target_name in splits else per_module


def requested_splits(sco_per_module: bool, au_per_course: bool) -> dict[str, bool | None]:
    """Each target's split from the flags: --sco-per-module for the targets that default to one unit
    for the course (SCORM), --au-per-course for those that default to one per module (cmi5); a
    one-unit target (xAPI) ignores both."""
    return {name: (False if au_per_course else None) if t.unit_per_module else (True if sco_per_module else None)
            for name, t in TARGETS.items()}


@contextmanager
def _frozen_for_the_collector() -> Iterator[None]:
    """The loaded course (everything made before the packages) lives until the build ends: the cyclic
    collector need not walk its hundreds of thousands of objects again for every package. Unfrozen
    after, so that a process building many times (tests, a preview) still collects them."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _sources_compressed(loaded: LoadedCourse) -> None:
    """The texts the course's source maps keep (for a problem's line and column) compressed while the build
    holds them (yaml_source.SourceMap.compress)."""
    loaded.source.compress()
    for module in loaded.modules:
        module.source.compress()


def _human_size(size: int) -> str:
    return f"{size / 1024:,.1f} KB" if size < 1024 * 1024 else f"{size / 1048576:,.2f} MB"


@click.command()
@course_dir_argument
@click.option("--target", "target", type=click.Choice([*TARGETS, "all"]), default="scorm12", show_default=True,
              help="Package standard to build: scorm12, scorm2004, xapi, cmi5, or all of them.")
@click.option("--edition", type=click.Choice([*EDITIONS, "all"]), default="all", show_default=True,
              help="standard, certificate (needs a certificate section in course.yaml), or both.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the packages  [default: COURSE_DIR/dist]")
@click.option("--sco-per-module", is_flag=True, help="SCORM: one SCO per module in one package (default: one SCO for the course).")
@click.option("--au-per-course", is_flag=True, help="cmi5: one AU for the whole course (default: one AU per module).")
def build(course_dir: Path, target: str, edition: str, out_dir: Path | None, sco_per_module: bool, au_per_course: bool) -> None:
    """Build LMS packages for the course in COURSE_DIR (default: the current folder).

    Writes dist/<slug>-<version>-<target>[-certificate].zip and prints one line per
    package with its size. Problems print as FILE:LINE:COL: message with exit code 2;
    a failed build leaves the output folder as it was.
    """
    started = time.monotonic()  # a slow load counts towards the second before the progress line shows
    loaded = load_or_exit(course_dir)
    _sources_compressed(loaded)
    out_dir = out_dir if out_dir is not None else course_dir / "dist"
    targets = list(TARGETS) if target == "all" else [target]
    available = loaded.course.editions()
    if edition == "certificate" and "certificate" not in available:
        report_and_exit(CourseError([loaded.source.problem((), "no 'certificate' section in course.yaml (expected one to build the certificate edition)")]))
    editions = available if edition == "all" else [edition]

    progress = BuildProgress(len(targets) * len(editions), sys.stderr, started=started)
    with tempfile.TemporaryDirectory(prefix=".coursepack-") as staging_name:
        built: list[Path] = []
        try:
            # without the flag, each target splits as it does by default (SCORM: one SCO for the course)
            with _frozen_for_the_collector():
                pages = sum(len(m.module.pages) for m in loaded.modules)
                kept = KeptMarkdown(course_dir)
                built = build_packages(loaded, targets, editions, Path(staging_name), splits=requested_splits(sco_per_module, au_per_course),
                                       on_package=progress.building, workers=worker_count(len(editions), pages), kept=kept)
                kept.save()
        except CourseError as error:
            progress.finish()
            report_and_exit(error)
        progress.finish()
        # Everything built: only now touch the output folder.
        out_dir.mkdir(parents=True, exist_ok=True)
        for path in built:
            final = out_dir / path.name
            partial = out_dir / f".{path.name}.partial"
            shutil.copyfile(path, partial)
            partial.replace(final)  # atomic on one filesystem: no half-written zip is ever visible
            click.echo(f"{final}  {_human_size(final.stat().st_size)}")
