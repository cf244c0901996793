"""schemas/ must be exactly what the models generate, and the example files must point at them."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack.schemas import SCHEMAS, schema_text
from conftest import REPO


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_matches_models(name: str) -> None:
    committed = (REPO / "schemas" / name).read_text(encoding="utf-8")
    assert committed == schema_text(SCHEMAS[name]), f"schemas/{name} is out of date: run `coursepack schema`"


def test_example_files_name_their_schema() -> None:
    assert (REPO / "course.yaml").read_text().startswith("# yaml-language-server: $schema=schemas/course.schema.json\n")
    modules = sorted((REPO / "modules").glob("*.yaml"))
    assert modules
    for path in modules:
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schemas/module.schema.json", path


def test_schema_command_writes_the_same_files(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coursepack.cli import main

    result = CliRunner().invoke(main, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in SCHEMAS:
        assert (tmp_path / name).read_text() == (REPO / "schemas" / name).read_text()
