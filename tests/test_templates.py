"""`coursepack new --template`: every starter template validates and builds every target; the CI workflow
`--with-ci` writes and the pre-commit hook this repository offers are valid, with the expected keys."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from conftest import REPO, SCAFFOLD
from coursepack.cli import main
from coursepack.commands.new import DEFAULT_TEMPLATE, TEMPLATES, WORKFLOW_PATH
from coursepack.targets.registry import TARGETS

TEMPLATES_DIR = SCAFFOLD / "templates"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def new_course(tmp_path: Path, template: str, *extra: str) -> Path:
    course = tmp_path / f"my-{template}"
    made = run("new", str(course), "--template", template, *extra)
    assert made.exit_code == 0, made.output
    return course


def test_every_template_folder_is_offered() -> None:
    folders = {p.name for p in TEMPLATES_DIR.iterdir() if p.is_dir()}
    assert folders == set(TEMPLATES) - {DEFAULT_TEMPLATE}
    assert {"blank", "quiz-heavy", "certificate"} <= set(TEMPLATES)


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_template_validates_and_builds_every_target(tmp_path: Path, template: str) -> None:
    course = new_course(tmp_path, template)
    assert (course / "AUTHORING.md").read_bytes() == (SCAFFOLD / "AUTHORING.md").read_bytes()
    assert (course / "schemas" / "course.schema.json").is_file() and (course / "schemas" / "module.schema.json").is_file()
    assert not (course / "templates").exists(), "the other templates must not be copied into a new course"
    checked = run("validate", str(course))
    assert checked.exit_code == 0 and checked.stderr == "", checked.output
    assert checked.stdout.startswith("OK ")
    built = run("build", str(course), "--target", "all", "--out", str(tmp_path / "dist"))
    assert built.exit_code == 0, built.output
    zips = sorted(p.name for p in (tmp_path / "dist").glob("*.zip"))
    editions = ["", "-certificate"] if "editions: standard + certificate" in checked.stdout else [""]
    slug_version = re.match(rf"(.+?)-(?:{'|'.join(TARGETS)})(?:-|\.zip)", zips[0]).group(1)
    assert zips == sorted(f"{slug_version}-{target}{suffix}.zip" for target in TARGETS for suffix in editions)
    for name in zips:
        target = TARGETS[next(t for t in TARGETS if f"-{t}." in name or f"-{t}-" in name)]
        with zipfile.ZipFile(tmp_path / "dist" / name) as package:
            names = package.namelist()
            # a structure file, and a launch page per unit (cmi5: one per module)
            assert target.manifest_name in names and any(n.endswith(".html") and "/" not in n for n in names), name


def test_templates_are_what_they_say() -> None:
    def course_of(name: str) -> dict:
        return yaml.safe_load((TEMPLATES_DIR / name / "course.yaml").read_text())

    def blocks(name: str) -> list[dict]:
        found = []
        for module in course_of(name)["modules"]:
            data = yaml.safe_load((TEMPLATES_DIR / name / module).read_text())
            found += [b for page in data["pages"] for b in page["blocks"]]
        return found

    assert "certificate" not in course_of("blank") and not [b for b in blocks("blank") if b["type"] == "quiz"]
    question_types = {q["type"] for b in blocks("quiz-heavy") if b["type"] == "quiz" for q in b["questions"]}
    assert question_types == {"single_choice", "multiple_response", "true_false", "fill_in", "matching", "sequencing"}
    assert course_of("quiz-heavy")["completion"]["pass_mark"] == 80
    certificate = course_of("certificate")["certificate"]
    assert certificate["signatory"]["signature"] == "signature.svg"
    assert (TEMPLATES_DIR / "certificate" / "assets" / "signature.svg").is_file()
    assert certificate["requires"]["reflection_min_chars"] > 0
    assert [b for b in blocks("certificate") if b["type"] == "reflection"]


def test_default_new_is_the_starter_scaffold_and_prints_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("new", "c")
    assert result.exit_code == 0
    assert result.stdout.strip() == "Created c (c/AUTHORING.md explains every field). Next: coursepack validate c"
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["AUTHORING.md", "assets", "course.yaml", "modules", "schemas"]
    assert not (tmp_path / "c" / ".github").exists()
    named = run("new", "d", "--template", "blank")
    assert named.stdout.strip() == "Created d from the blank template (d/AUTHORING.md explains every field). Next: coursepack validate d"


def test_unknown_template_is_refused(tmp_path: Path) -> None:
    result = run("new", str(tmp_path / "c"), "--template", "deluxe")
    assert result.exit_code == 2 and "deluxe" in result.stderr
    assert not (tmp_path / "c").exists()


# ---------------------------------------------------------------- the CI workflow


def workflow_of(course: Path) -> dict:
    data = yaml.safe_load((course / WORKFLOW_PATH).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true; GitHub reads it as "on"
    return data


def test_with_ci_writes_a_workflow_that_validates_builds_every_target_and_uploads(tmp_path: Path) -> None:
    course = new_course(tmp_path, "quiz-heavy", "--with-ci")
    assert (course / ".github" / "workflows" / "coursepack.yml").is_file()
    flow = workflow_of(course)
    assert "pull_request" in flow["on"]
    assert flow["permissions"] == {"contents": "read"}
    (job,) = flow["jobs"].values()
    assert job["runs-on"].startswith("ubuntu-")
    steps = job["steps"]
    runs = [s.get("run", "") for s in steps]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses) and any(u.startswith("actions/setup-python@") for u in uses)
    validate = next(i for i, r in enumerate(runs) if r.strip() == "coursepack validate")
    build = next(i for i, r in enumerate(runs) if r.strip() == "coursepack build --target all --edition all")
    upload = next(i for i, u in enumerate(uses) if u.startswith("actions/upload-artifact@"))
    assert validate < build < upload
    assert steps[upload]["with"]["path"] == "dist/*.zip" and steps[upload]["with"]["if-no-files-found"] == "error"
    install = next(r for r in runs if "pip install" in r)
    assert "COURSEPACK_REQUIREMENT" in install and job["env"]["COURSEPACK_REQUIREMENT"] == "${{ vars.COURSEPACK_REQUIREMENT }}"
    # the problem matcher reads validate's own output format: file:line:col: message
    matcher = next(r for r in runs if "problemMatcher" in r)
    regexp = re.search(r'"regexp": "(.+?)", "file"', matcher).group(1).replace("\\\\", "\\")
    found = re.match(regexp, "modules/01-welcome.yaml:12:5: 'minutes' is 'ten' (expected a whole number)")
    assert found and found.groups() == ("modules/01-welcome.yaml", "12", "5", "'minutes' is 'ten' (expected a whole number)")


# ---------------------------------------------------------------- the pre-commit hook

HOOKS_FILE = REPO / ".pre-commit-hooks.yaml"


def hook() -> dict:
    hooks = yaml.safe_load(HOOKS_FILE.read_text())
    assert isinstance(hooks, list)
    (found,) = [h for h in hooks if h["id"] == "coursepack-validate"]
    return found


def test_hook_file_runs_validate_on_course_files() -> None:
    h = hook()
    assert h["language"] == "python"
    assert h["entry"] == "coursepack validate"
    assert h["pass_filenames"] is False  # validate checks the whole course: cross-file rules need every file
    assert {"id", "name", "entry", "language", "files"} <= set(h)
    files = re.compile(h["files"])
    for rel in ("course.yaml", "modules/01-welcome.yaml", "modules/02-more.yml", "assets/diagrams/a.svg",
                "courses/ai/course.yaml", "courses/ai/modules/01-x.yaml"):
        assert files.search(rel), rel
    for rel in ("README.md", "docs/course.yaml.md", "modules/notes.md", "builder/scaffold.py", "schemas/course.schema.json"):
        assert not files.search(rel), rel


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env, timeout=60)


@pytest.mark.skipif(shutil.which("pre-commit") is None or shutil.which("git") is None,
                    reason="pre-commit is not installed (pip install pre-commit): the hook is not run through it here; "
                           "this test never installs it, as that needs the network")
def test_hook_runs_through_pre_commit(tmp_path: Path) -> None:
    """pre-commit installs this repository's hook (a copy of the source, committed in a temporary git
    repo) into its own virtualenv (from PyPI: the network is needed here) and runs it in a course repo."""
    hooks_repo = tmp_path / "coursepack-src"
    hooks_repo.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copyfile(REPO / name, hooks_repo / name)
    shutil.copytree(REPO / "builder", hooks_repo / "builder", ignore=shutil.ignore_patterns("__pycache__"))
    _git(hooks_repo, "init", "-q")
    _git(hooks_repo, "add", "-A")
    _git(hooks_repo, "commit", "-q", "-m", "coursepack")
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hooks_repo, capture_output=True, text=True, check=True).stdout.strip()

    course = new_course(tmp_path, "blank")
    (course / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks_repo.as_uri()}\n    rev: {rev}\n    hooks:\n      - id: coursepack-validate\n")
    _git(course, "init", "-q")
    _git(course, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    pre_commit = ["pre-commit", "run", "--all-files", "--color", "never"]
    ok = subprocess.run(pre_commit, cwd=course, capture_output=True, text=True, env=env, timeout=900)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "coursepack validate" in ok.stdout and "Passed" in ok.stdout

    module = course / "modules" / "01-introduction.yaml"
    module.write_text(module.read_text().replace("minutes: 5", "minutes: five"))
    _git(course, "add", "-A")
    broken = subprocess.run(pre_commit, cwd=course, capture_output=True, text=True, env=env, timeout=300)
    assert broken.returncode != 0
    line = module.read_text().splitlines().index("minutes: five") + 1
    assert f"modules/01-introduction.yaml:{line}:10: 'minutes' is 'five' (expected a whole number)" in broken.stdout
