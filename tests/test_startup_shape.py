"""What start-up imports (issue 16): `coursepack --version` nothing but the console script; `validate`
nothing that renders pages or writes a manifest (nor difflib for a valid course), its records no dataclasses,
and for a course it has found valid unchanged, neither PyYAML nor pydantic;
loading a course no Markdown parser while every link leads to the web, and no XML parser without an SVG
to check; a build whose Markdown is all kept, no Markdown parser; and `validate` leaves what its check
made for the interpreter's exit to drop without the collector walking it. Checked in a fresh interpreter,
by the modules it holds afterwards or the collector's state (no timing)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import REPO, SCAFFOLD
from coursepack.cli import main

MARKDOWN = ("markdown_it", "nh3", "coursepack.render.markdown")
XML = ("lxml", "coursepack.load.svg_check")
WRITERS = tuple(f"coursepack.targets.{name}" for name in ("registry", "target", "scorm12", "scorm2004", "xapi", "cmi5"))


def modules_after(code: str, *argv: str) -> tuple[set[str], str]:
    """Every module loaded once code has run in a fresh interpreter (given argv), and what it printed."""
    code += "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=REPO, check=True)
    *printed, modules = result.stdout.splitlines()
    return set(json.loads(modules)), "".join(line + "\n" for line in printed)


def loaded_of(modules: set[str], packages: tuple[str, ...]) -> set[str]:
    return {m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)}


def test_version_is_answered_before_click_is_imported() -> None:
    bare, _ = modules_after("")
    modules, printed = modules_after("from coursepack.console import main\nmain()", "--version")
    # the console script and its package, and at most what `from __future__` needs where the
    # interpreter's start did not already import it
    assert modules - bare - {"__future__"} == {"coursepack", "coursepack.console"}
    assert printed.startswith("coursepack, version ")
    assert printed == CliRunner().invoke(main, ["--version"]).output  # what `--version` with more arguments prints


def test_any_other_command_line_goes_to_click() -> None:
    modules, printed = modules_after("from coursepack.console import main\ntry:\n    main()\nexcept SystemExit:\n    pass", "--help")
    assert "click" in modules and "Usage: " in printed


VALIDATE = "from coursepack.cli import main\nmain(['validate', {!r}], standalone_mode=False)"


def example_course(tmp_path: Path) -> Path:
    """A copy of the example course's files, with no record of an earlier check (load/validate_cache.py)."""
    course = tmp_path / "example"
    course.mkdir()
    shutil.copy(REPO / "course.yaml", course)
    for folder in ("modules", "assets"):
        shutil.copytree(REPO / folder, course / folder)
    return course


def test_validate_imports_nothing_that_renders_pages_and_again_not_even_the_loader(tmp_path: Path) -> None:
    course = example_course(tmp_path)
    first, printed = modules_after(VALIDATE.format(str(course)))
    assert {"coursepack.load.course_loader", "coursepack.targets.fit"} <= first  # it did validate
    assert loaded_of(first, ("jinja2", "coursepack.render.page", "coursepack.render.render_cache", "coursepack.targets.zipper")) == set()
    # every target's limits from targets/limits.py, no manifest writer (their lxml only for the SVGs' check)
    assert loaded_of(first, WRITERS) == set()
    # a link block's url is checked by pydantic-core's URL parser, not pydantic.networks (model/content.py)
    assert "pydantic_core" in first and loaded_of(first, ("pydantic.networks",)) == set()
    # "did you mean" suggestions are made only for a message (load/to_model.py, load/course_loader.py), and
    # pydantic's TypeAdapter only for an invalid course.yaml's module list (load/course_loader.py)
    assert loaded_of(first, ("difflib", "pydantic.type_adapter")) == set()
    # the same course unchanged: its kept outcome, without PyYAML, pydantic, the models or the targets (and without
    # the dataclasses module: load/validate_cache.py's Outcome is a named tuple)
    again, printed_again = modules_after(VALIDATE.format(str(course)))
    assert printed_again == printed and printed.startswith("OK ")
    assert loaded_of(again, ("yaml", "pydantic", "coursepack.load.course_loader", "coursepack.model", "coursepack.targets", "dataclasses")) == set()


# The classes of coursepack that `validate` makes as dataclasses, and why each stays one: TargetFit is the base
# of build's Target (targets/target.py); UnitContents is filled in after it is made (render/unit_contents.py).
KEPT_DATACLASSES = ["coursepack.render.unit_contents.UnitContents", "coursepack.targets.limits.TargetFit"]
# prints every dataclass defined by a coursepack module this interpreter holds
DATACLASSES_MADE = (
    "import dataclasses, json, sys\n"
    "print(json.dumps(sorted(f'{name}.{cls.__qualname__}' for name, module in list(sys.modules.items()) if name.startswith('coursepack.')"
    " for cls in vars(module).values() if isinstance(cls, type) and cls.__module__ == name and dataclasses.is_dataclass(cls))))"
)


def test_validate_makes_its_records_without_dataclass_methods(tmp_path: Path) -> None:
    """Python 3.11's @dataclass compiles each method it makes with an exec of its own: 0.5-1.3 ms a class
    with Debian's python3, 14 ms for the 15 on `validate`'s path. Its records (Problem, LoadedCourse, the
    refs, the limits, ...) are named tuples, or written out, made in a quarter of that time or less."""
    course = example_course(tmp_path)
    _, printed = modules_after(VALIDATE.format(str(course)) + "\n" + DATACLASSES_MADE)
    checked, made = printed.splitlines()
    assert checked.startswith("OK ")  # it did validate
    assert json.loads(made) == KEPT_DATACLASSES


def test_validate_leaves_the_collector_as_it_was_and_what_it_made_to_be_freed_by_the_exit_alone(tmp_path: Path) -> None:
    """commands/common.py's collector_paused: within the check the collector is off; after it, it is on
    again with nothing frozen (a caller in the same process, such as a test, sees it as before); at exit,
    everything is frozen before the interpreter's last collection, which then walks none of it."""
    course = example_course(tmp_path)
    code = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))  # runs after handlers registered later\n"
        + VALIDATE.format(str(course))
        + "\nprint('after the check:', gc.isenabled(), gc.get_freeze_count())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.splitlines()[1:] == ["after the check: True 0", "frozen at exit: True"]


# loads the course in the folder, printing its problems if any
LOAD = (
    "from pathlib import Path\nfrom coursepack.load.course_loader import load_course\nfrom coursepack.load.errors import CourseError\n"
    "try:\n    load_course(Path({!r}))\nexcept CourseError as error:\n    print(error)"
)


def test_loading_parses_markdown_only_for_a_link_that_may_lead_off_the_web(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(SCAFFOLD, course, ignore=shutil.ignore_patterns("templates"))
    module = course / "modules" / "01-welcome.yaml"
    text = module.read_text(encoding="utf-8")
    assert "Welcome! Each page holds" in text
    module.write_text(text.replace("Welcome! Each page holds", "Welcome! See [the guide](https://example.org/guide). Each page holds"), encoding="utf-8")
    modules, printed = modules_after(LOAD.format(str(course)))
    assert printed == "" and "coursepack.load.links" in modules
    assert loaded_of(modules, MARKDOWN) == set()

    module.write_text(text.replace("Welcome! Each page holds", "Welcome! Print [the handout](handout.pdf). Each page holds"), encoding="utf-8")
    modules, printed = modules_after(LOAD.format(str(course)))
    assert "link to 'handout.pdf' is not a web address" in printed
    assert loaded_of(modules, MARKDOWN) >= set(MARKDOWN)


def test_loading_parses_xml_only_for_a_course_with_svgs() -> None:
    without, problems = modules_after(LOAD.format(str(SCAFFOLD / "templates" / "quiz-heavy")))
    with_svg, more_problems = modules_after(LOAD.format(str(SCAFFOLD)))
    assert problems == more_problems == ""
    assert "coursepack.load.checks" in without and loaded_of(without, XML) == set()
    assert loaded_of(with_svg, XML) >= set(XML)


def test_a_build_that_does_not_fork_does_not_import_multiprocessing(tmp_path: Path) -> None:
    """Only a build split over processes needs multiprocessing (commands/build_workers.py); the scaffold's
    small course, both editions, is made in this process."""
    build = "from coursepack.cli import main\nmain(['build', {!r}, '--edition', 'all', '--out', {!r}], standalone_mode=False)"
    modules, _ = modules_after(build.format(str(SCAFFOLD / "templates" / "certificate"), str(tmp_path / "out")))
    assert len(list((tmp_path / "out").glob("*.zip"))) == 2  # it did build
    assert loaded_of(modules, ("multiprocessing",)) == set()


def test_a_build_whose_markdown_is_all_kept_does_not_import_the_parser(tmp_path: Path) -> None:
    """The second build of an unchanged course finds every text's HTML, and the manifests' plain words,
    kept (render/kept_markdown.py): it needs no Markdown parser. The scaffold's texts need the parser for
    its pages and for the xAPI manifest's descriptions."""
    course = tmp_path / "course"
    shutil.copytree(SCAFFOLD, course, ignore=shutil.ignore_patterns("templates", "AUTHORING.md"))
    build = "from coursepack.cli import main\nmain(['build', {!r}, '--target', 'xapi', '--edition', 'standard', '--out', {!r}], standalone_mode=False)"
    first, _ = modules_after(build.format(str(course), str(tmp_path / "first")))
    again, _ = modules_after(build.format(str(course), str(tmp_path / "again")))
    assert "markdown_it" in first and len(list((tmp_path / "again").glob("*.zip"))) == 1  # it did parse, then build
    assert loaded_of(again, ("markdown_it",)) == set()
