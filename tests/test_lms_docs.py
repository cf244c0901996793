"""The LMS guides promise only what the package does: the commit budget and the Moodle settings."""

from __future__ import annotations

import re

from conftest import REPO

PLAYER = REPO / "builder" / "runtime" / "player.js"
MOODLE = REPO / "docs" / "lms" / "moodle.md"
AUTHORING = REPO / "docs" / "authoring.md"


def _flat(path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


def _player_budget() -> tuple[float, float]:
    m = re.search(r"var IDLE_MS = (\d+), MIN_GAP_MS = (\d+);", PLAYER.read_text(encoding="utf-8"))
    assert m, "player.js no longer states its reflection commit budget"
    return int(m.group(1)) / 1000, int(m.group(2)) / 1000


def _seconds(value: float) -> str:
    return f"{value:g} second" + ("" if value == 1 else "s")


def test_commit_budget_in_the_docs_is_the_players() -> None:
    idle, gap = _player_budget()
    for doc in (MOODLE, AUTHORING):
        text = _flat(doc)
        assert f"{_seconds(idle)} after the learner stops typing" in text, doc
        assert f"at most once every {_seconds(gap)} while typing" in text, doc


def test_moodle_guide_steers_away_from_the_43_traps() -> None:
    text = _flat(MOODLE)
    table = text[text.index("## Recommended settings"):text.index("### Traps in Moodle 4.3")]
    assert "Number of attempts** | **Unlimited** | **Unlimited**" in table
    assert "**Disable preview mode** | **Yes** | **Yes**" in table
    assert "Force completed | **No** | **No**" in table
    assert "MDL-81749" in text and "Require all scos to return completion status" in text
    # the order of saving is explained, as the package does it
    assert "saves the status on its own" in text and "no score while the course is incomplete" in text
    # the report quirks of 4.3.0
    assert "columns after it shift" in text and "Interactions** tab" in text
