"""The player speaks the course's language: one strings table per language, author overrides checked."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from coursepack.cli import main
from coursepack.load.course_loader import load_course
from coursepack.render.course_data import course_data
from coursepack.render.page import render_launch_page
from coursepack.render.unit_contents import unit_contents
from coursepack.targets.limits import SCORM12_LIMITS as SCORM12
from coursepack.render.strings import CATALOGS, EN, catalog_language, placeholders, strings_for
from conftest import REPO, SCAFFOLD

PLAYER = REPO / "builder" / "runtime" / "player.js"
TEMPLATES = REPO / "builder" / "render" / "templates"


def test_every_table_has_every_entry_with_the_same_placeholders() -> None:
    for lang, table in CATALOGS.items():
        assert set(table) == set(EN), lang
        for key, text in table.items():
            assert placeholders(text) == placeholders(EN[key]), (lang, key)
            if key.startswith("n."):
                assert placeholders(text) == {"n"}, (lang, key)


def test_every_key_the_player_and_templates_use_exists() -> None:
    js = PLAYER.read_text(encoding="utf-8")
    used = set(re.findall(r'\bT\("([a-z_.]+)"', js)) | {f"n.{w}.{f}" for w in re.findall(r'\bN\("([a-z]+)"', js) for f in ("one", "other")}
    for match in re.finditer(r'T\(([^()]*\?[^()]*)\)', js):  # T(cond ? "a" : "b")
        used |= set(re.findall(r'"([a-z_]+)"', match.group(1)))
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r'\bt\("([a-z_.]+)"', template.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in EN and not k.endswith("."))
    assert not missing, missing
    assert len(used) > 60  # the tables are really used


def test_language_chooses_the_table() -> None:
    assert catalog_language("es-MX") == "es" and catalog_language("en-US") == "en" and catalog_language("fr") == "en"
    assert strings_for("es")["start"] == "Comenzar el curso"
    assert strings_for("es", {"start": "Empezar"})["start"] == "Empezar"


def _course(tmp_path: Path, language: str, extra: str = "") -> Path:
    root = tmp_path / "c"
    shutil.copytree(SCAFFOLD, root)
    course = root / "course.yaml"
    text = course.read_text(encoding="utf-8").replace("language: en-US", f"language: {language}")
    course.write_text(text + extra, encoding="utf-8")
    return root


def test_a_spanish_course_speaks_spanish(tmp_path) -> None:
    root = _course(tmp_path, "es-MX", 'strings:\n  start: "¡Empecemos!"\n')
    loaded = load_course(root)
    html = render_launch_page(unit_contents(loaded, "certificate"), "scorm12", SCORM12).decode("utf-8")
    assert "¡Empecemos!" in html and "Enviar respuestas" in html and "Contenido" in html
    assert "Submit answers" not in html and "Start the course" not in html and "(opens in a new tab)" not in html
    assert "(se abre en una pestaña nueva)" in html
    data = course_data(unit_contents(loaded, "certificate"), "scorm12", SCORM12)
    assert data["strings"]["start"] == "¡Empecemos!" and data["strings"]["next"] == "Siguiente"
    json.dumps(data)


def test_bad_overrides_are_located_errors(tmp_path) -> None:
    root = _course(tmp_path, "en-US", "strings:\n  strat: Go\n  page_of: Page {n} of {count}\n")
    result = CliRunner().invoke(main, ["validate", str(root)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if "course.yaml:" in line]
    assert len(lines) == 2, result.output
    assert re.search(r"course\.yaml:\d+:\d+: unknown player string 'strat' \(expected a key of the player's table: did you mean 'start'", lines[0]), lines[0]
    assert re.search(r"course\.yaml:\d+:\d+: player string 'page_of' uses \{count\} \(expected only \{n\}, \{total\}\)", lines[1]), lines[1]
