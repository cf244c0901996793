"""`validate` checks every target's limits from targets/limits.py, without the manifest writers (issue 16:
start-up); `build` writes with registry.py's targets, each made from its fit (target.target_of). The two must
hold the same facts, in the same order."""

from __future__ import annotations

from coursepack.targets.limits import FITS, TargetFit
from coursepack.targets.registry import TARGETS


def test_validate_checks_the_limits_and_splits_build_writes_with() -> None:
    assert list(FITS) == list(TARGETS)  # `build --target all` and `validate` go through them in one order
    for name, target in TARGETS.items():
        assert FITS[name] == TargetFit(target.name, target.limits, target.unit_per_module, target.one_unit), name
