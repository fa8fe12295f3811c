"""Acceptance criteria: a small query language evaluated over the plan's
collections (accounts, stakeholders, calls, threads, moments, objections).

Evaluation streams: population calls pass through accumulators one at a time,
so checking a 100k-call population needs no list of calls in memory.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, NamedTuple

from pydantic import BaseModel, ConfigDict

from corpusc.compiler import nodes as n
from corpusc.compiler import program as P
from corpusc.diagnostics.model import Sink, Span
from corpusc.plan.model import Call, Header
from corpusc.compiler.conditions import compare, holds, scalar
from corpusc.compiler.queries import collection_of, describe

MAX_WITNESSES = 12


class Criterion(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)
    title: str
    severity: str  # require | expect
    suite: str | None
    query: str
    measured: str
    passed: bool
    witnesses: list[str]  # call ids that satisfy it
    missing: str = ""
    span: Span


# ---- static validation -----------------------------------------------------------

def call_item(c: Call) -> dict[str, Any]:
    item = {"id": c.id, "account": c.account, "population": c.population, "stage": c.stage,
            "length": c.length, "turns": c.target_turns, "minutes": round(c.target_duration_sec / 60, 2),
            "duration_sec": c.target_duration_sec, "participants": len(c.participants),
            "paralinguistics": c.paralinguistics, "moments": len(c.moments),
            "divergent": sum(1 for m in c.moments if m.divergent),
            "congruent": sum(1 for m in c.moments if not m.divergent),
            "buying_signals": sum(1 for b in c.beats if b.kind == "buying_signal"),
            "competitor_mentions": sum(1 for b in c.beats if b.kind == "competitor_mention"),
            "objections": sum(1 for b in c.beats if b.kind.startswith("objection_")),
            "references": len(c.references), "medium": c.medium, "kind": c.kind, "date": c.date,
            "weekday": c.weekday, "hour": int(c.time[:2]), "locale": c.locale}
    for k, v in c.metadata.items():
        item.setdefault(k, v)
    return item


def header_items(h: Header, sales: list) -> Iterator[tuple[str, dict, list[str]]]:
    """(collection, item, witness call ids) for everything but the calls;
    `sales` as `evaluate` keeps them (`_Thin`)."""
    by_account: dict[str, list] = {}
    for c in sales:
        by_account.setdefault(c.account or "", []).append(c)
    for a in h.accounts:
        calls = by_account.get(a.name, [])
        ids = [c.id for c in calls]
        yield "accounts", {"name": a.name, "size": a.size, "industry": a.industry, "outcome": a.outcome,
                           "employees": a.employees, "region": a.region, "calls": len(calls),
                           "stakeholders": len(a.stakeholders), "competitors": len(a.competitors),
                           "multi_call": len(calls) >= 2}, ids
        days = 0
        if calls:
            import datetime as dt
            days = (dt.date.fromisoformat(calls[-1].date) - dt.date.fromisoformat(calls[0].date)).days
        yield "threads", {"account": a.name, "calls": len(calls), "days": days,
                          "stages": len({c.stage for c in calls})}, ids
        for s in a.stakeholders:
            theirs = [c.id for c in calls if s["name"] in c.people]
            yield "stakeholders", {"name": s["name"], "account": a.name, "persona": s["persona"],
                                   "role": s["role"], "decision_maker": s["decision_maker"],
                                   "calls": len(theirs)}, theirs
        for arc in a.arcs:
            arc_calls = sorted({st["call"] for st in arc.steps if st["call"]})
            yield "objections", {"id": arc.id, "type": arc.objection, "account": a.name, "by": arc.by,
                                 "outcome": arc.outcome, "calls": len(arc_calls)}, arc_calls


def call_items(c: Call) -> Iterator[tuple[str, dict, list[str]]]:
    yield "calls", call_item(c), [c.id]
    for m in c.moments:
        yield "moments", {"id": m.id, "call": c.id, "speaker": m.speaker, "divergent": m.divergent,
                          "congruent": not m.divergent, "polarity": m.polarity}, [c.id]


# ---- evaluation ---------------------------------------------------------------------

class _Acc:
    """Accumulates one requirement over the items of its collection."""

    def __init__(self, spec: P.RequirementSpec):
        self.spec = spec
        q = spec.query
        self.q = q
        self.coll, self.field, _ = collection_of(q)
        self.total = 0
        self.hits = 0
        self.wit: list[str] = []
        self.bad: list[str] = []
        self.seen: dict[Any, list[str]] = {}

    def _w(self, lst: list[str], ids: list[str]) -> None:
        for i in ids:
            if len(lst) >= MAX_WITNESSES:
                return
            if i not in lst:
                lst.append(i)

    def feed(self, item: dict, ids: list[str]) -> None:
        q = self.q
        if isinstance(q, n.CoversQ):
            v = item.get(self.field)
            if v not in self.seen:
                self.seen[v] = ids[:3]
            return
        if not holds(q.selection.where, item):
            self.total += 1 if isinstance(q, n.AggregateQ) and q.agg == "ratio" else 0
            return
        self.total += 1
        if isinstance(q, n.AggregateQ):
            self.hits += 1
            self._w(self.wit, ids)
        elif isinstance(q, n.QuantifiedQ):
            if holds(q.cond, item):
                self.hits += 1
                self._w(self.wit, ids)
            else:
                self._w(self.bad, [str(item.get("id") or item.get("name"))])
        elif isinstance(q, n.DistinctQ):
            key = tuple(item.get(p.dotted) for p in q.by)
            if key not in self.seen:
                self.seen[key] = ids[:2]
                self._w(self.wit, ids[:1])

    def result(self) -> Criterion:
        q, spec = self.q, self.spec
        missing = ""
        if isinstance(q, n.CoversQ):
            want = [scalar(x, self.field) for x in q.values.items]
            absent = [w for w in want if w not in self.seen]
            passed = not absent
            measured = f"{len(want) - len(absent)}/{len(want)} covered"
            wit = [i for w in want if w in self.seen for i in self.seen[w]][:MAX_WITNESSES]
            if absent:
                missing = f"no {self.coll} with {self.field} " + ", ".join(f"`{a}`" for a in absent)
        elif isinstance(q, n.AggregateQ) and q.agg == "count":
            target = scalar(q.value)
            passed = compare(self.hits, q.op, target)
            measured = str(self.hits)
            wit = self.wit
            if not passed:
                missing = _gap(self.hits, q.op, target, self.coll)
        elif isinstance(q, n.AggregateQ):
            r = self.hits / self.total if self.total else 0.0
            measured = f"{r * 100:.1f}% ({self.hits}/{self.total})"
            wit = self.wit
            if q.within is not None:
                lo, hi = scalar(q.within.lo), scalar(q.within.hi)
                passed = self.total > 0 and lo - 1e-9 <= r <= hi + 1e-9
                if not passed:
                    missing = (f"no {self.coll} at all" if not self.total else
                               f"{r * 100:.1f}% is outside {lo * 100:g}%..{hi * 100:g}%")
            else:
                target = scalar(q.value)
                passed = self.total > 0 and compare(r, q.op, target)
                if not passed:
                    missing = f"{r * 100:.1f}% is not {q.op} {target * 100:g}%"
        elif isinstance(q, n.QuantifiedQ):
            wit = self.wit
            if q.quant == "all":
                passed = not self.bad
                measured = f"{self.hits}/{self.total}"
                if self.bad:
                    missing = "fails for " + ", ".join(self.bad)
            elif q.quant == "any":
                passed = self.hits > 0
                measured = f"{self.hits}/{self.total}"
                if not passed:
                    missing = f"none of {self.total} {self.coll} match"
            else:
                passed = self.hits == 0
                measured = f"{self.hits}/{self.total}"
                if not passed:
                    missing = "holds for " + ", ".join(self.wit)
                wit = []
        else:
            count = len(self.seen)
            target = scalar(q.value)
            passed = compare(count, q.op, target)
            measured = str(count)
            wit = self.wit
            if not passed:
                missing = _gap(count, q.op, target, f"distinct ({', '.join(p.dotted for p in q.by)})")
        return Criterion(title=spec.title, severity=spec.severity, suite=spec.suite, query=describe(q),
                         measured=measured, passed=passed, witnesses=wit, missing=missing, span=spec.span)


def _gap(have: int, op: str, target: Any, what: str) -> str:
    if op in (">=", ">") and isinstance(target, (int, float)):
        need = int(target) - have + (1 if op == ">" else 0)
        return f"{need} more {what} needed (have {have})"
    if op in ("<=", "<") and isinstance(target, (int, float)):
        extra = have - int(target) + (1 if op == "<" else 0)
        return f"{extra} {what} too many (have {have})"
    return f"have {have}, want {op} {target}"


def evaluate(prog: P.Program, h: Header, calls: Iterable[Call]) -> list[Criterion]:
    """Evaluate every requirement in one pass over the (streamed) calls. Of a
    sales call only what the account-level collections read is kept (the
    whole calls of a 10,000-call plan held 230 MB until the pass ended)."""
    accs = [_Acc(r) for r in prog.requirements]
    by_coll: dict[str, list[_Acc]] = {}
    for a in accs:
        by_coll.setdefault(a.coll, []).append(a)
    per_call = "calls" in by_coll or "moments" in by_coll
    sales: list[_Thin] = []
    for c in calls:
        if c.kind == "sales":
            sales.append(_Thin(c.account, c.id, c.date, c.stage, tuple(p.id for p in c.participants)))
        if per_call:
            for coll, item, ids in call_items(c):
                for a in by_coll.get(coll, ()):
                    a.feed(item, ids)
    for coll, item, ids in header_items(h, sales):
        for a in by_coll.get(coll, ()):
            a.feed(item, ids)
    return [a.result() for a in accs]


class _Thin(NamedTuple):
    """What `header_items` reads of a sales call."""
    account: str | None
    id: str
    date: str
    stage: str
    people: tuple[str, ...]


def report_failures(results: list[Criterion], sink: Sink) -> None:
    for r in results:
        if r.passed:
            continue
        code = "E0601" if r.severity == "require" else "E0602"
        sink.add(code, f"{'requirement' if r.severity == 'require' else 'expectation'} not met: {r.title}",
                 r.span, label=f"measured {r.measured}",
                 help=r.missing or "change the spec so the plan satisfies it",
                 notes=[f"in suite `{r.suite}`"] if r.suite else [])
