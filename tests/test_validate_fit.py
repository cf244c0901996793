"""`validate`'s check that the learner's saved state fits each target (targets/fit.py) gathers a unit's
contents only for a target whose store has limits: xAPI's and cmi5's have none, so there is nothing to
prove for them (issue 16: the example's first check gathered 20 units' contents, 16 of them for these)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SCAFFOLD
from coursepack.load.course_loader import load_course
from coursepack.targets import fit
from coursepack.targets.limits import FITS


def test_a_target_without_limits_needs_no_unit_contents(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_course(Path(SCAFFOLD))
    gathered: list[str] = []
    real = fit.unit_contents
    monkeypatch.setattr(fit, "unit_contents", lambda *args, **kwargs: gathered.append(args[1]) or real(*args, **kwargs))
    for name in ("xapi", "cmi5"):
        assert FITS[name].limits is None
        for per_module in (None, True, False):
            assert fit.target_fit_problems(loaded, FITS[name], "standard", per_module=per_module) == []
    assert gathered == []
    assert fit.target_fit_problems(loaded, FITS["scorm12"], "standard") == []
    assert gathered == ["standard"]  # a target with limits: its one unit's contents
