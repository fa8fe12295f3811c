"""Conditions (`where ...`, `when ...`) over an item's fields: one evaluator
for requirements and for population `when` blocks, so they cannot disagree."""

from __future__ import annotations

from typing import Any

from corpusc.compiler import nodes as n
from corpusc.compiler.schema import TIME_UNITS


def scalar(v: n.Node, field: str | None = None) -> Any:
    """A literal as a comparable value: durations in seconds (minutes for the
    `minutes` field), percentages as fractions, 14:00 as hour 14."""
    if isinstance(v, n.Quantity) and v.unit in TIME_UNITS:
        secs = v.value * TIME_UNITS[v.unit]
        return secs / 60 if field == "minutes" else secs
    if isinstance(v, n.Num):
        return int(v.value) if v.is_int else v.value
    if isinstance(v, n.Percent):
        return v.value / 100
    if isinstance(v, n.TimeV):
        return int(v.value[:2])
    if isinstance(v, n.Name):
        if v.value in ("true", "on"):
            return True
        if v.value in ("false", "off"):
            return False
        if v.value == "none":
            return None
    return getattr(v, "value", None)


def compare(a: Any, op: str, b: Any) -> bool:
    try:
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if a is None or b is None:
            return False
        if op == ">=":
            return a >= b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        if op == "<":
            return a < b
    except TypeError:
        return False
    return False


def compiled(c: n.Cond | None):
    """`holds` as a closure with the literals converted once, for conditions
    tested on every call of a large population."""
    if c is None:
        return lambda item: True
    if isinstance(c, (n.AndC, n.OrC)):
        fs = [compiled(x) for x in c.items]
        if isinstance(c, n.AndC):
            return lambda item: all(f(item) for f in fs)
        return lambda item: any(f(item) for f in fs)
    if isinstance(c, n.NotC):
        f = compiled(c.item)
        return lambda item: not f(item)
    field = c.path.dotted
    if isinstance(c, n.Truthy):
        return lambda item: bool(item.get(field))
    if isinstance(c, n.Member):
        values = [scalar(x, field) for x in c.values.items]
        return lambda item: item.get(field) in values
    op, b = c.op, scalar(c.value, field)
    return lambda item: compare(item.get(field), op, b)


def fields_of(c: n.Cond | None) -> set[str]:
    """The fields a condition reads."""
    if c is None:
        return set()
    if isinstance(c, (n.AndC, n.OrC)):
        return set().union(*(fields_of(it) for it in c.items))
    if isinstance(c, n.NotC):
        return fields_of(c.item)
    return {c.path.dotted}


def holds(c: n.Cond | None, item: dict) -> bool:
    if c is None:
        return True
    if isinstance(c, n.AndC):
        return all(holds(x, item) for x in c.items)
    if isinstance(c, n.OrC):
        return any(holds(x, item) for x in c.items)
    if isinstance(c, n.NotC):
        return not holds(c.item, item)
    field = c.path.dotted
    v = item.get(field)
    if isinstance(c, n.Truthy):
        return bool(v)
    if isinstance(c, n.Member):
        return v in [scalar(x, field) for x in c.values.items]
    return compare(v, c.op, scalar(c.value, field))
