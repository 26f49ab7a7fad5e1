"""The few SQL spellings that differ between SQLite and PostgreSQL.

Everything else (the report queries, the filters of `--check`) is written
once against these, so the two stores answer the same question the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs


@attrs.frozen
class Dialect:
    name: str
    #: The driver's parameter marker.
    param: str
    #: The UTC day (``YYYY-MM-DD``) of the `end_time` column, as text.
    day: str
    #: The total cost as exact decimal text, from the inner query's `cost_units` column.
    cost: str
    #: What the inner query sums into `cost_units`.
    cost_units: str
    #: A float division that does not truncate.
    real: str


SQLITE = Dialect(
    name="sqlite",
    param="?",
    day="substr(c.end_time, 1, 10)",
    # Money is TEXT in SQLite (exact), summed as integers of 0.00001 USD and
    # spelt back with five decimals: no float ever touches a cost.
    cost_units="sum(c.total_amount_e5)",
    cost=(
        "printf('%s%d.%05d', CASE WHEN coalesce(g.cost_units, 0) < 0 THEN '-' ELSE '' END, "
        "abs(coalesce(g.cost_units, 0)) / 100000, abs(coalesce(g.cost_units, 0)) % 100000)"
    ),
    real="1.0 * ",
)

POSTGRES = Dialect(
    name="postgresql",
    param="%s",
    day="to_char(c.end_time AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    cost_units="sum(c.total_amount)",
    cost="coalesce(g.cost_units, 0)::text",
    real="1.0::double precision * ",
)

DIALECTS = {d.name: d for d in (SQLITE, POSTGRES)}

_EXACT = ("call_direction", "hangup_source", "stir_verification", "hangup_cause_code")
_COMPARE = {"": "=", "__gt": ">", "__gte": ">=", "__lt": "<", "__lte": "<="}


def filter_sql(dialect: Dialect, filters: Mapping[str, str]) -> tuple[list[str], list[Any]]:
    """WHERE clauses (on alias ``c``) that select what the API's filters select (§7.3).

    Numbers match as a prefix of the digits, as on the API (which is given
    them without '+'). A filter the store cannot evaluate raises ValueError.
    """
    p = dialect.param
    clauses: list[str] = []
    params: list[Any] = []
    for name, value in sorted(filters.items()):
        if name in ("from_number", "to_number"):
            clauses.append(f"(c.{name} LIKE {p} OR c.{name} LIKE {p})")
            params += [f"+{value}%", f"{value}%"]
        elif name in _EXACT:
            clauses.append(f"c.{name} = {p}")
            params.append(int(value) if name == "hangup_cause_code" else value)
        elif name.startswith("bill_duration") and name[len("bill_duration") :] in _COMPARE:
            clauses.append(f"c.bill_duration {_COMPARE[name[len('bill_duration') :]]} {p}")
            params.append(int(value))
        else:
            raise ValueError(f"the store cannot apply the filter {name!r}")
    return clauses, params
