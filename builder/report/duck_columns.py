"""Rows handed to DuckDB as one list parameter per column (INSERT … SELECT unnest(?::T[]), …).

DuckDB binds a statement's scalar parameters slowly (about a thousand rows a second), so the store
used to write many rows as a JSON-lines file for read_json. A list parameter per column skips the
file and the JSON text: DuckDB converts each list in C++, and `unnest` of several lists in one SELECT
zips them back into rows. Storing a page of 500 statements costs about a tenth less CPU this way
(DuckDB's own insert into the primary-key index is most of what is left).

The values stored must be exactly those the JSON path stores, which the caller keeps as the fallback.
Each column is converted only where that is certain for its SQL type and its values' Python types:
NUMERIC values go as their JSON text (DuckDB rounds the decimal text "1.005" to 1.01, but a double
1.005, which is 1.00499…, to 1.00), times with a zone as naive UTC (store_times.py), and a column
holding any other Python type makes the whole insert take the JSON path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from coursepack.report.store_times import iso_text, naive_utc

# The Python types each SQL type's list takes as they are (bool is an int subclass: checked by type()).
_EXACT: dict[str, tuple[type, ...]] = {
    "VARCHAR": (str,),
    "BOOLEAN": (bool,),
    "INTEGER": (int,),
    "BIGINT": (int,),
    "DOUBLE": (int, float),
}


def _types(values: Sequence[Any]) -> set[type]:
    """The Python types of the values that are not None (one pass in C: map, set)."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    return kinds


def column_list(sql_type: str, values: Sequence[Any]) -> list[Any] | None:
    """One column's values as the list to bind for `?::sql_type[]`, or None when this column cannot be
    bound so that it stores what the JSON path stores."""
    if sql_type in _EXACT:
        return list(values) if _types(values) <= set(_EXACT[sql_type]) else None
    if sql_type.startswith("DECIMAL"):
        if not _types(values) <= {int, float, Decimal}:
            return None
        # the JSON path writes float(value) as JSON: repr is that same text
        return [None if v is None else repr(float(v)) for v in values]
    if sql_type == "TIMESTAMP":
        kinds = _types(values)
        if kinds <= {datetime}:
            if all(v is None or v.tzinfo is None for v in values):
                return list(values)
            return [None if v is None else naive_utc(v) for v in values]
        if all(issubclass(kind, date) for kind in kinds):
            return [None if v is None else iso_text(v) for v in values]  # as the JSON path writes them
        return None
    return None


def column_lists(sql_types: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[list[Any]] | None:
    """The rows as one list per column (types in column order), or None when any column cannot be."""
    lists = []
    for sql_type, values in zip(sql_types, zip(*rows)):
        converted = column_list(sql_type, values)
        if converted is None:
            return None
        lists.append(converted)
    return lists


def unnest_select(sql_types: Sequence[str]) -> str:
    """The SELECT that turns the column lists back into rows, in column order (each cast to its
    column's type: a list of ISO text becomes TIMESTAMP, of JSON number text DECIMAL)."""
    return "SELECT " + ", ".join(f"unnest(?::{t}[])" for t in sql_types)
