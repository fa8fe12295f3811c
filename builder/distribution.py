"""Declared vs realized distributions of every population, measured on the plan
in one streamed pass: categorical shares against their quotas, weekday and
local-hour histograms against the declared profiles, numeric summaries (also
split by scenario) and the true share of flags.

Memory is bounded independently of the call count: categoricals, weekdays,
hours and days are exact counters (an undeclared text key keeps at most
`MAX_LEVELS` distinct values); min, max, mean and count are exact; quantiles
come from a uniform reservoir of `RESERVOIR` values per field and group, drawn
from a seeded stream, so they are exact up to that many calls and reproducible
beyond it."""

from __future__ import annotations

import math
from array import array
from collections import Counter
from typing import Any, Iterable, Iterator

from pydantic import BaseModel, ConfigDict

from corpusc.compiler import program as P
from corpusc.plan import rng
from corpusc.plan.clock import WEEKDAY_NAMES
from corpusc.plan.population import day_counts, hour_weights

RESERVOIR = 10_000  # values kept per numeric field (and per scenario group) for quantiles
MAX_LEVELS = 200  # distinct values counted for an undeclared text key; the rest go to `other`
GROUP_BY = "scenario"


class M(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Level(M):
    value: str
    declared_share: float | None  # weight / sum of weights; None for an undeclared key
    quota: int | None  # the exact apportionment of the declared weights over the calls
    calls: int
    share: float
    difference_pp: float | None  # realized share minus declared share, percentage points


class CategoricalDist(M):
    field: str
    declared: bool
    adjusted: bool = False  # `when` adjustments (or shifts, for `agent`) may move calls off their quotas
    levels: list[Level]
    other: int = 0  # calls whose value was not counted (more than MAX_LEVELS distinct values)
    missing: int = 0  # calls without this key


class Bin(M):
    key: str  # weekday name or two-digit local hour
    expected_share: float
    expected: float
    calls: int
    share: float


class Summary(M):
    count: int
    min: float
    p5: float
    median: float
    mean: float
    p95: float
    max: float
    exact: bool  # quantiles from every value (else from the reservoir sample)


class NumericDist(M):
    field: str
    summary: Summary
    missing: int = 0


class FlagDist(M):
    field: str
    count: int
    true: int
    true_share: float
    missing: int = 0


class Group(M):
    value: str
    calls: int
    numeric: list[NumericDist]
    flags: list[FlagDist]


class PopulationDist(M):
    population: str
    declared_calls: int
    calls: int
    sampling: str
    timezone: str
    window: tuple[str, str]
    days: int
    calls_per_day: tuple[int, int, int]  # min, median, max over the window's days
    categoricals: list[CategoricalDist]
    weekdays: list[Bin]
    hours: list[Bin]
    numeric: list[NumericDist]
    flags: list[FlagDist]
    group_by: str | None
    groups: list[Group]
    overridden: list[str]  # fields some `when` block replaces, in declaration order
    reservoir: int


class Distribution(M):
    populations: list[PopulationDist]


# ---- accumulation ----------------------------------------------------------------

class _Numbers:
    """Exact count/min/max/sum and a uniform reservoir (Vitter's algorithm L, so
    random draws are needed only on replacements). Values arrive in batches of
    an `array('d')`: per value, the pass only appends."""

    __slots__ = ("n", "lo", "hi", "total", "sample", "key", "r", "w", "next", "buf")

    def __init__(self, key: tuple[str, ...]):
        self.n = 0
        self.lo = math.inf
        self.hi = -math.inf
        self.total = 0.0
        self.sample = array("d")
        self.key = key
        self.r = None
        self.w = 0.0
        self.next = 0  # 1-based position of the next value to enter a full reservoir
        self.buf = array("d")

    def flush(self, final: bool = False) -> None:
        """Take the buffered values in chunks of exactly CHUNK (the last,
        shorter one only when `final`), so the float sums, and so the summary,
        do not depend on how the values arrived (one pass, or merged batches)."""
        buf = self.buf
        k = len(buf) if final else len(buf) - len(buf) % CHUNK
        if k == 0:
            return
        for i in range(0, k, CHUNK):
            self._take(buf[i:i + CHUNK])
        self.buf = buf[k:]

    def _take(self, buf: array) -> None:
        before = self.n
        self.n += len(buf)
        self.total += sum(buf)
        self.lo = min(self.lo, min(buf))
        self.hi = max(self.hi, max(buf))
        s = self.sample
        room = RESERVOIR - len(s)
        if room > 0:
            s.extend(buf[:room])
            if len(s) == RESERVOIR:
                self.r = rng.stream(*self.key)
                self.w = math.exp(math.log(_u(self.r.random)) / RESERVOIR)
                self.next = _after(before + room, self.w, self.r.random)
        if self.r is None or self.next > self.n:
            return
        # a 10k reservoir over 100k values replaces ~23k times per field: the
        # loop keeps its state in locals and spells out rng.below, _u and
        # _after (the same arithmetic; tested against them)
        rand, log, log1p, exp = self.r.random, math.log, math.log1p, math.exp
        nxt, w, n, last = self.next, self.w, self.n, RESERVOIR - 1
        while nxt <= n:
            s[min(last, int(rand() * RESERVOIR))] = buf[nxt - before - 1]
            w *= exp(log(rand() or 0.5) / RESERVOIR)
            nxt = nxt + 1 if w >= 1.0 else nxt + int(math.floor(log(rand() or 0.5) / log1p(-w))) + 1
        self.next, self.w = nxt, w

    def summary(self) -> Summary:
        self.flush(final=True)
        v = sorted(self.sample)
        return Summary(count=self.n, min=_num(self.lo), p5=_num(quantile(v, 0.05)),
                       median=_num(quantile(v, 0.5)), mean=_num(self.total / self.n),
                       p95=_num(quantile(v, 0.95)), max=_num(self.hi), exact=self.n == len(v))


CHUNK = 4096  # values per flush of a numeric buffer


def _u(rand) -> float:
    return rand() or 0.5  # log(0) is undefined; 0.0 comes once in 2**53 draws


def _after(pos: int, w: float, rand) -> int:
    """The 1-based position of the next value to enter a full reservoir (algorithm L's skip)."""
    if w >= 1.0:
        return pos + 1
    return pos + int(math.floor(math.log(_u(rand)) / math.log1p(-w))) + 1


class _Fields:
    """Per-key accumulators for one set of calls (a population or a group of it)."""

    def __init__(self, key: tuple[str, ...]):
        self.key = key
        self.calls = 0
        self.numbers: dict[str, _Numbers] = {}
        self.flags: dict[str, list[int]] = {}  # field -> [count, true]
        self.texts: dict[str, Counter] = {}
        self.other: Counter = Counter()

    def flush(self) -> None:
        for nums in self.numbers.values():
            nums.flush()

    def merge(self, part: "_Raw", declared: set[str] | None) -> None:
        """Add a batch measured elsewhere (`_Raw`), as if its calls had been
        added here one by one."""
        self.calls += part.calls
        for k, values in part.numbers.items():
            nums = self.numbers.get(k)
            if nums is None:
                nums = self.numbers[k] = _Numbers((*self.key, k))
            nums.buf.extend(values)
            if len(nums.buf) >= CHUNK:
                nums.flush()
        for k, (n, t) in part.flags.items():
            f = self.flags.get(k)
            if f is None:
                f = self.flags[k] = [0, 0]
            f[0] += n
            f[1] += t
        if declared is None:
            return
        for k, counts in part.texts.items():
            c = self.texts.get(k)
            if c is None:
                c = self.texts[k] = Counter()
            for v, n in counts.items():  # first-seen order, as one by one would see them
                if v in c or k in declared or len(c) < MAX_LEVELS:
                    c[v] += n
                else:
                    self.other[k] += n


class _Raw:
    """A batch of calls measured without reservoirs or caps, to be merged in
    plan order (`_Fields.merge`): numbers in arrival order, flag counts, text
    counts in first-seen order."""

    __slots__ = ("calls", "numbers", "flags", "texts")

    def __init__(self):
        self.calls = 0
        self.numbers: dict[str, array] = {}
        self.flags: dict[str, list[int]] = {}
        self.texts: dict[str, Counter] = {}

    def add(self, meta: dict[str, Any], group: "_Raw | None") -> None:
        """Count `meta` here (texts too) and, when given, in `group` (numbers
        and flags): one loop over the call's fields for both."""
        self.calls += 1
        if group is not None:
            group.calls += 1
        for k, v in meta.items():
            t = type(v)
            if t is float or t is int:
                a = self.numbers.get(k)
                if a is None:
                    a = self.numbers[k] = array("d")
                a.append(v)
                if group is not None:
                    a = group.numbers.get(k)
                    if a is None:
                        a = group.numbers[k] = array("d")
                    a.append(v)
            elif t is bool:
                f = self.flags.get(k)
                if f is None:
                    f = self.flags[k] = [0, 0]
                f[0] += 1
                f[1] += v
                if group is not None:
                    f = group.flags.get(k)
                    if f is None:
                        f = group.flags[k] = [0, 0]
                    f[0] += 1
                    f[1] += v
            elif t is str:
                c = self.texts.get(k)
                if c is None:
                    c = self.texts[k] = Counter()
                c[v] += 1

    def __getstate__(self):
        return (self.calls, self.numbers, self.flags, self.texts)

    def __setstate__(self, state):
        self.calls, self.numbers, self.flags, self.texts = state


class _PopulationAcc:
    def __init__(self, prog: P.Program, pop: P.Population):
        self.pop = pop
        self.all = _Fields((str(prog.corpus.seed), "distribution", pop.name))
        declared = {c.field for c in pop.categoricals}
        self.declared = declared
        self.groups: dict[str, _Fields] = {}
        self.group_by = GROUP_BY if GROUP_BY in declared else None
        self.weekdays: Counter = Counter()
        self.hours: Counter = Counter()
        self.days: Counter = Counter()


class Partial:
    """The distribution of a batch of calls, measured where they are made (a
    build worker) and merged into the build's Accumulator in plan order; it
    holds values, not reservoirs, so the merged result equals one pass."""

    def __init__(self):
        self.pops: dict[str, dict[str, Any]] = {}

    def add(self, call) -> None:
        p = self.pops.get(call.population)
        if p is None:
            p = self.pops[call.population] = {"all": _Raw(), "groups": {}, "weekdays": Counter(),
                                              "hours": Counter(), "days": Counter()}
        meta = call.metadata
        raw = None
        if GROUP_BY in meta:
            g = str(meta[GROUP_BY])
            raw = p["groups"].get(g)
            if raw is None:
                raw = p["groups"][g] = _Raw()
        p["all"].add(meta, raw)
        p["weekdays"][call.weekday] += 1
        p["hours"][int(call.time[:2])] += 1
        p["days"][call.date] += 1


class Accumulator:
    """Fed every planned call once (`wrap` passes them through unchanged);
    `result()` gives the distribution of every population."""

    def __init__(self, prog: P.Program):
        self.prog = prog
        self.pops = {pop.name: _PopulationAcc(prog, pop) for pop in prog.populations}
        self.pending = Partial()
        self.held = 0

    def wrap(self, stream: Iterable) -> Iterator:
        """Calls counted here are measured in batches, the way build workers
        measure theirs (one implementation of the counting: `Partial`)."""
        for c in stream:
            if c.kind == "population":
                self.pending.add(c)
                self.held += 1
                if self.held >= 256:
                    self._settle()
            yield c

    def _settle(self) -> None:
        if self.held:
            part, self.pending, self.held = self.pending, Partial(), 0
            self.merge(part)

    def merge(self, part: Partial) -> None:
        for name, p in part.pops.items():
            a = self.pops[name]
            a.all.merge(p["all"], a.declared)
            a.weekdays.update(p["weekdays"])
            a.hours.update(p["hours"])
            a.days.update(p["days"])
            if a.group_by is None:
                continue
            for g, raw in p["groups"].items():
                acc = a.groups.get(g)
                if acc is None:
                    acc = a.groups[g] = _Fields((*a.all.key, "group", g))
                acc.merge(raw, None)

    def result(self) -> Distribution:
        self._settle()
        return Distribution(populations=[_population(self.prog, a) for a in self.pops.values()])


def measure(prog: P.Program, calls: Iterable) -> Distribution:
    acc = Accumulator(prog)
    for _ in acc.wrap(calls):
        pass
    return acc.result()


# ---- results ----------------------------------------------------------------------

def _population(prog: P.Program, a: _PopulationAcc) -> PopulationDist:
    pop = a.pop
    n = a.all.calls
    cats = [_declared(pop, c, a.all, n) for c in pop.categoricals]
    cats += [_undeclared(k, a.all, n) for k in sorted(a.all.texts) if k not in a.declared]
    days = day_counts(pop)
    per_day = sorted(a.days.get(d.isoformat(), 0) for d, _ in days)
    overridden: list[str] = []
    for w in pop.whens:
        for f in w.fields:
            if f.name not in overridden:
                overridden.append(f.name)
    order = [f.name for f in pop.fields]
    overridden.sort(key=lambda name: order.index(name) if name in order else len(order))
    return PopulationDist(
        population=pop.name, declared_calls=pop.count, calls=n, sampling=pop.sampling,
        timezone=pop.timezone, window=(pop.window_start, pop.window_end), days=len(days),
        calls_per_day=(per_day[0], per_day[len(per_day) // 2], per_day[-1]) if per_day else (0, 0, 0),
        categoricals=cats, weekdays=_weekdays(days, a.weekdays, n), hours=_hours(pop, a.hours, n),
        numeric=_numeric(a.all, n, order), flags=_flags(a.all, n, order),
        group_by=a.group_by,
        groups=[_group(v, g, order) for v, g in _group_order(pop, a)],
        overridden=overridden, reservoir=RESERVOIR)


def _declared(pop: P.Population, cat: P.Categorical, f: _Fields, n: int) -> CategoricalDist:
    counts = f.texts.get(cat.field, Counter())
    weights = [c.weight for c in cat.categories]
    total = sum(weights) or 1.0
    quotas = rng.apportion(n, weights)
    levels = []
    for c, q in zip(cat.categories, quotas):
        got = counts.get(c.value, 0)
        declared = c.weight / total
        share = got / n if n else 0.0
        levels.append(Level(value=c.value, declared_share=_share(declared), quota=q, calls=got,
                            share=_share(share), difference_pp=_pp(share - declared)))
    known = {c.value for c in cat.categories}
    for value, got in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if value not in known:  # a value the weights do not declare (e.g. set by an adjustment)
            levels.append(Level(value=value, declared_share=0.0, quota=0, calls=got,
                                share=_share(got / n), difference_pp=_pp(got / n)))
    adjusted = any(cat.field in getattr(w, "adjust", {}) for w in pop.whens) or (
        cat.field == "agent" and bool(getattr(pop, "shifts", None)))
    return CategoricalDist(field=cat.field, declared=True, adjusted=adjusted, levels=levels,
                           missing=n - sum(counts.values()))


def _undeclared(key: str, f: _Fields, n: int) -> CategoricalDist:
    counts = f.texts[key]
    other = f.other.get(key, 0)
    levels = [Level(value=v, declared_share=None, quota=None, calls=c, share=_share(c / n), difference_pp=None)
              for v, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return CategoricalDist(field=key, declared=False, levels=levels, other=other,
                           missing=n - sum(counts.values()) - other)


def _weekdays(days, realized: Counter, n: int) -> list[Bin]:
    """Expected counts are the planned calls per date (`day_counts`), summed by weekday."""
    expected: Counter = Counter()
    for d, c in days:
        expected[WEEKDAY_NAMES[d.weekday()]] += c
    total = sum(expected.values()) or 1
    return [Bin(key=w, expected_share=_share(expected[w] / total), expected=float(expected[w]),
                calls=realized.get(w, 0), share=_share(realized.get(w, 0) / n) if n else 0.0)
            for w in WEEKDAY_NAMES]


def _hours(pop: P.Population, realized: Counter, n: int) -> list[Bin]:
    """Expected shares are the hour-slot weights of `hour_weights`, normalized;
    hours outside the profile appear only when calls fall there."""
    weights: Counter = Counter()
    for hour, _, _, w in hour_weights(pop):
        weights[hour] += w
    total = sum(weights.values()) or 1.0
    keys = sorted(set(weights) | {h for h, c in realized.items() if c})
    return [Bin(key=f"{h:02d}", expected_share=_share(weights.get(h, 0.0) / total),
                expected=round(n * weights.get(h, 0.0) / total, 1), calls=realized.get(h, 0),
                share=_share(realized.get(h, 0) / n) if n else 0.0) for h in keys]


def _ordered(keys, order: list[str]) -> list[str]:
    """Declared fields in declaration order, then any other key by name."""
    pos = {name: i for i, name in enumerate(order)}
    return sorted(keys, key=lambda k: (pos.get(k, len(pos)), k))


def _numeric(f: _Fields, n: int, order: list[str]) -> list[NumericDist]:
    f.flush()
    return [NumericDist(field=k, summary=f.numbers[k].summary(), missing=n - f.numbers[k].n)
            for k in _ordered(f.numbers, order)]


def _flags(f: _Fields, n: int, order: list[str]) -> list[FlagDist]:
    return [FlagDist(field=k, count=f.flags[k][0], true=f.flags[k][1],
                     true_share=_share(f.flags[k][1] / f.flags[k][0]), missing=n - f.flags[k][0])
            for k in _ordered(f.flags, order)]


def _group_order(pop: P.Population, a: _PopulationAcc) -> list[tuple[str, _Fields]]:
    if a.group_by is None:
        return []
    cat = next(c for c in pop.categoricals if c.field == a.group_by)
    declared = [c.value for c in cat.categories]
    keys = [v for v in declared if v in a.groups] + sorted(v for v in a.groups if v not in declared)
    return [(k, a.groups[k]) for k in keys]


def _group(value: str, g: _Fields, order: list[str]) -> Group:
    return Group(value=value, calls=g.calls, numeric=_numeric(g, g.calls, order),
                 flags=_flags(g, g.calls, order))


def quantile(sorted_values, p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default,
    `statistics.quantiles(method="inclusive")`)."""
    if not sorted_values:
        return math.nan
    x = p * (len(sorted_values) - 1)
    i = int(math.floor(x))
    j = min(i + 1, len(sorted_values) - 1)
    return sorted_values[i] + (sorted_values[j] - sorted_values[i]) * (x - i)


def _num(x: float) -> float:
    return round(float(x), 4)


def _share(x: float) -> float:
    return round(x, 6)


def _pp(x: float) -> float:
    return round(x * 100, 4) + 0.0  # no "-0.0"
