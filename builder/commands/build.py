"""`coursepack build`: write one zip per target and edition, all or nothing."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from coursepack.commands.common import course_dir_argument, load_or_exit, report_and_exit
from coursepack.load.errors import CourseError
from coursepack.model.course import EDITIONS
from coursepack.targets.package import TARGETS, package_files, package_name
from coursepack.targets.zipper import write_zip


def _human_size(size: int) -> str:
    return f"{size / 1024:,.1f} KB" if size < 1024 * 1024 else f"{size / 1048576:,.2f} MB"


@click.command()
@course_dir_argument
@click.option("--target", "target", type=click.Choice([*TARGETS, "all"]), default="scorm12", show_default=True,
              help="Package standard to build: scorm12, scorm2004, or all of them.")
@click.option("--edition", type=click.Choice([*EDITIONS, "all"]), default="all", show_default=True,
              help="standard, certificate (needs a certificate section in course.yaml), or both.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the packages  [default: COURSE_DIR/dist]")
@click.option("--sco-per-module", is_flag=True, help="One SCO per module in one package (default: one SCO for the course).")
def build(course_dir: Path, target: str, edition: str, out_dir: Path | None, sco_per_module: bool) -> None:
    """Build LMS packages for the course in COURSE_DIR (default: the current folder).

    Writes dist/<slug>-<version>-<target>[-certificate].zip and prints one line per
    package with its size. Problems print as FILE:LINE:COL: message with exit code 2;
    a failed build leaves the output folder as it was.
    """
    loaded = load_or_exit(course_dir)
    out_dir = out_dir if out_dir is not None else course_dir / "dist"
    targets = list(TARGETS) if target == "all" else [target]
    available = loaded.course.editions()
    if edition == "certificate" and "certificate" not in available:
        report_and_exit(CourseError([loaded.source.problem((), "no 'certificate' section in course.yaml (expected one to build the certificate edition)")]))
    editions = available if edition == "all" else [edition]

    with tempfile.TemporaryDirectory(prefix=".coursepack-") as staging_name:
        staging = Path(staging_name)
        built: list[Path] = []
        try:
            for target_name in targets:
                for edition_name in editions:
                    files = package_files(loaded, target_name, edition_name, per_module=sco_per_module)
                    path = staging / package_name(loaded, target_name, edition_name)
                    write_zip(files, path)
                    built.append(path)
        except CourseError as error:
            report_and_exit(error)
        # Everything built: only now touch the output folder.
        out_dir.mkdir(parents=True, exist_ok=True)
        for path in built:
            final = out_dir / path.name
            partial = out_dir / f".{path.name}.partial"
            shutil.copyfile(path, partial)
            partial.replace(final)  # atomic on one filesystem: no half-written zip is ever visible
            click.echo(f"{final}  {_human_size(final.stat().st_size)}")
