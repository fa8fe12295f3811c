"""The query language of `require` and `expect` as the checker sees it: which
collections and fields exist, validation of a query against them, and the
one-line description a criterion gets when it has no title. Evaluation on the
plan is corpusc.plan.requirements'."""

from __future__ import annotations

from typing import Any, Iterator

from corpusc.compiler import nodes as n
from corpusc.compiler import program as P
from corpusc.compiler.schema import did_you_mean
from corpusc.diagnostics.model import Sink, Span

FIELDS: dict[str, set[str]] = {
    "accounts": {"name", "size", "industry", "outcome", "employees", "region", "calls", "stakeholders",
                 "competitors", "multi_call"},
    "stakeholders": {"name", "account", "persona", "role", "decision_maker", "calls"},
    "calls": {"id", "account", "population", "stage", "length", "turns", "minutes", "duration_sec",
              "participants", "paralinguistics", "moments", "divergent", "congruent", "buying_signals",
              "competitor_mentions", "objections", "references", "medium", "kind", "date", "weekday", "hour",
              "locale"},
    "threads": {"account", "calls", "days", "stages"},
    "moments": {"id", "call", "speaker", "divergent", "congruent", "polarity"},
    "objections": {"id", "type", "account", "by", "outcome", "calls"},
}
ALIASES = {"outcomes": ("accounts", "outcome"), "stages": ("calls", "stage"),
           "personas": ("stakeholders", "persona"), "objection_types": ("objections", "type"),
           "industries": ("accounts", "industry"), "sizes": ("accounts", "size"),
           "lengths": ("calls", "length")}


def collection_of(q: n.Query) -> tuple[str, str | None, Span]:
    if isinstance(q, n.CoversQ):
        parts = q.path.parts
        if len(parts) == 1 and parts[0] in ALIASES:
            c, f = ALIASES[parts[0]]
            return c, f, q.path.span
        return parts[0], ".".join(parts[1:]) or None, q.path.span
    return q.selection.collection.value, None, q.selection.collection.span


def validate(q: n.Query, sink: Sink, call_fields: set[str] = frozenset()) -> bool:
    coll, field, span = collection_of(q)
    if coll not in FIELDS:
        sink.add("E0603", f"unknown collection `{coll}`", span, label="not a collection of the plan",
                 help=did_you_mean(coll, list(FIELDS) + list(ALIASES)) or
                 "collections: " + ", ".join(FIELDS))
        return False
    known = FIELDS[coll] | (call_fields if coll == "calls" else set())
    ok = True

    def field_ok(name: str, sp: Span) -> None:
        nonlocal ok
        if name not in known:
            sink.add("E0603", f"`{coll}` have no field `{name}`", sp, label="unknown field",
                     help=did_you_mean(name, known) or "fields: " + ", ".join(sorted(known)))
            ok = False

    if isinstance(q, n.CoversQ):
        if field is None:
            sink.add("E0603", "`covers` needs a field: COLLECTION.FIELD covers [...]", q.path.span,
                     help=f"e.g. `{coll}.{sorted(known)[0]} covers [...]`")
            return False
        field_ok(field, q.path.span)
    else:
        for c in _conds(q.selection.where):
            field_ok(c.path.dotted, c.path.span)
        if isinstance(q, n.QuantifiedQ):
            for c in _conds(q.cond):
                field_ok(c.path.dotted, c.path.span)
        if isinstance(q, n.DistinctQ):
            for p in q.by:
                field_ok(p.dotted, p.span)
        if isinstance(q, n.AggregateQ) and q.within is not None:
            lo, hi = q.within.lo, q.within.hi
            if not (isinstance(lo, (n.Percent, n.Num)) and isinstance(hi, (n.Percent, n.Num))):
                sink.add("E0603", "`within` takes a range of percentages like 25%..35%", q.within.span)
                ok = False
    return ok


def _conds(c: n.Cond | None) -> Iterator[n.Node]:
    if c is None:
        return
    if isinstance(c, (n.AndC, n.OrC)):
        for x in c.items:
            yield from _conds(x)
    elif isinstance(c, n.NotC):
        yield from _conds(c.item)
    else:
        yield c


def describe(q: n.Query) -> str:
    """Canonical text of a query, used as the title when none is given."""
    if isinstance(q, n.CoversQ):
        return f"{q.path.dotted} covers [{', '.join(str(_v(x)) for x in q.values.items)}]"
    sel = _sel(q.selection)
    if isinstance(q, n.AggregateQ):
        tail = f"within {_sv(q.within.lo)}..{_sv(q.within.hi)}" if q.within else f"{q.op} {_sv(q.value)}"
        return f"{q.agg}({sel}) {tail}"
    if isinstance(q, n.QuantifiedQ):
        return f"{q.quant} {sel}: {_cond(q.cond)}"
    return f"distinct({sel}) by ({', '.join(p.dotted for p in q.by)}) {q.op} {_sv(q.value)}"


def _sel(s: n.Selection) -> str:
    return s.collection.value + (f" where {_cond(s.where)}" if s.where else "")


def _cond(c: n.Cond) -> str:
    if isinstance(c, n.AndC):
        return " and ".join(_cond(x) for x in c.items)
    if isinstance(c, n.OrC):
        return " or ".join(_cond(x) for x in c.items)
    if isinstance(c, n.NotC):
        return "not " + _cond(c.item)
    if isinstance(c, n.Truthy):
        return c.path.dotted
    if isinstance(c, n.Member):
        return f"{c.path.dotted} in [{', '.join(_sv(x) for x in c.values.items)}]"
    return f"{c.path.dotted} {c.op} {_sv(c.value)}"


def _sv(v: n.Node) -> str:
    if isinstance(v, n.Percent):
        return f"{v.value:g}%"
    if isinstance(v, n.Quantity):
        return f"{v.value:g} {v.unit}"
    if isinstance(v, n.Str):
        return f'"{v.value}"'
    if isinstance(v, n.Num):
        return f"{int(v.value)}" if v.is_int else f"{v.value:g}"
    return str(getattr(v, "value", ""))


def _v(v: n.Node) -> Any:
    return getattr(v, "value", None)


# ---- items of each collection --------------------------------------------------------


def call_fields(prog: P.Program) -> set[str]:
    out: set[str] = set()
    for p in prog.populations:
        out |= {c.field for c in p.categoricals} | {f.name for f in p.fields}
        for w in p.whens:
            out |= {f.name for f in w.fields}
    return out
