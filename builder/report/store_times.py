"""Times as the report store keeps them: naive UTC, in TIMESTAMP columns, on both engines.

Every reader converts its times to naive UTC before storing them (xapi_facts, the Moodle and Canvas
readers, --since), but a time with a zone offset that reached the store as it is would be stored
wrong, and differently by the way it went in: DuckDB reads ISO text with an offset into a TIMESTAMP
by dropping the offset (14:30+05:00 is stored as 14:30), and both engines turn a zoned parameter into
a TIMESTAMP in the session's time zone (the machine's own for DuckDB, the server's for PostgreSQL).
So every value engine.py sends passes through here: a zoned time becomes the same instant in naive
UTC, whatever the engine, the session's zone or the way in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any


def naive_utc(moment: datetime) -> datetime:
    """The instant in naive UTC (a naive time is taken as UTC already)."""
    return moment if moment.tzinfo is None else moment.astimezone(timezone.utc).replace(tzinfo=None)


def iso_text(value: date) -> str:
    """A date, or a time, as ISO text for a TIMESTAMP column; a zoned time as its instant in UTC (its
    '+00:00' is then what DuckDB drops)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.isoformat()


def bound(params: Sequence[Any]) -> list[Any]:
    """A statement's parameters with every zoned time as naive UTC."""
    return [naive_utc(v) if isinstance(v, datetime) and v.tzinfo is not None else v for v in params]
