"""Expand a population into calls, streamed: exact quotas per categorical
field (largest remainder, then a seeded shuffle), calls spread over the
window's days by weekday profile and over the hours by the hour profile, in
local time of the population's zone, and typed samplers per call."""

from __future__ import annotations

import datetime as dt
from array import array
from typing import Any, Iterator

from . import program as P
from . import rng
from .conditions import holds
from .plan import local_times
from .plan_model import Beat, Call, Participant

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def day_counts(pop: P.Population) -> list[tuple[dt.date, int]]:
    start = dt.date.fromisoformat(pop.window_start)
    end = dt.date.fromisoformat(pop.window_end)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    if pop.volume_per_day:
        weights = [1.0] * len(days)
    else:
        weights = [pop.weekdays.get(WEEKDAY_NAMES[d.weekday()], 100.0 if not pop.weekdays else 0.0)
                   for d in days]
        if sum(weights) <= 0:
            weights = [1.0] * len(days)
    counts = rng.apportion(pop.count, weights)
    return list(zip(days, counts))


def hour_weights(pop: P.Population) -> list[tuple[int, int, int, float]]:
    """(hour, first minute, end minute, weight) for each hour slot in `hours`."""
    lo_h, lo_m = (int(x) for x in pop.hours[0].split(":"))
    hi_h, hi_m = (int(x) for x in pop.hours[1].split(":"))
    lo, hi = lo_h * 60 + lo_m, hi_h * 60 + hi_m
    peak = None
    if pop.peak:
        ph, pm = (int(x) for x in pop.peak.split(":"))
        peak = ph * 60 + pm
    out = []
    m = lo
    span = max(1, hi - lo)
    while m < hi:
        nxt = min(hi, (m // 60 + 1) * 60)
        mid = (m + nxt) / 2
        w = (nxt - m) / 60
        if peak is not None:
            w *= 0.35 + 1.0 - min(1.0, abs(mid - peak) / span * 1.6)
        out.append((m // 60, m, nxt, w))
        m = nxt
    return out


def _assignments(prog: P.Program, pop: P.Population) -> dict[str, tuple[list[str], array]]:
    """Exact quotas for each categorical field, shuffled by the population's stream."""
    out = {}
    for cat in pop.categoricals:
        values = [c.value for c in cat.categories]
        r = rng.stream(prog.corpus.seed, "population", pop.name, "field", cat.field)
        arr = array("H")
        if pop.sampling == "random":
            cum = []
            acc = 0.0
            for c in cat.categories:
                acc += c.weight
                cum.append(acc)
            for _ in range(pop.count):
                x = r.random() * acc
                arr.append(next((i for i, v in enumerate(cum) if x < v), len(cum) - 1))
        else:
            quotas = rng.apportion(pop.count, [c.weight for c in cat.categories])
            for i, q in enumerate(quotas):
                arr.extend([i] * q)
            _shuffle_array(r, arr)
        out[cat.field] = (values, arr)
    return out


def _shuffle_array(r, arr: array) -> None:
    for i in range(len(arr) - 1, 0, -1):
        j = rng.below(r, i + 1)
        arr[i], arr[j] = arr[j], arr[i]


def population_calls(prog: P.Program, pop: P.Population, base_index: int) -> Iterator[Call]:
    seed = prog.corpus.seed
    cats = _assignments(prog, pop)
    width = max(5, len(str(pop.count)))
    hours = hour_weights(pop)
    k = 0
    for date, count in day_counts(pop):
        per_hour = rng.apportion(count, [h[3] for h in hours])
        day_r = rng.stream(seed, "population", pop.name, "day", date.isoformat())
        times = []
        for (hour, m0, m1, _), q in zip(hours, per_hour):
            for _ in range(q):
                sec = m0 * 60 + rng.below(day_r, (m1 - m0) * 60)
                times.append(sec)
        times.sort()
        for sec in times:
            hh, rem = divmod(sec, 3600)
            mm, ss = divmod(rem, 60)
            yield _call(prog, pop, cats, k, base_index + k, width, date, hh, mm, ss)
            k += 1


def _call(prog, pop: P.Population, cats, k: int, index: int, width: int, date, hh, mm, ss) -> Call:
    call_id = f"{pop.name}.{k + 1:0{width}d}"
    r = rng.stream(prog.corpus.seed, "population", pop.name, "call", str(k))
    d, t, start, start_utc, wd = local_times(date, hh, mm, ss, pop.timezone)
    meta: dict[str, Any] = {name: values[arr[k]] for name, (values, arr) in cats.items()}
    ctx = dict(meta, hour=int(t[:2]), weekday=wd)
    derived = []
    for f in pop.fields:  # base samplers, in declaration order
        if f.derived_from is not None:
            derived.append(f)
            continue
        meta[f.name] = ctx[f.name] = sample_field(r, f)
    for w in pop.whens:  # conditional overrides see categoricals and sampled fields
        if holds(w.cond, ctx):
            for f in w.fields:
                if f.derived_from is not None:
                    derived.append(f)
                else:
                    meta[f.name] = ctx[f.name] = sample_field(r, f)
    for f in derived:
        meta[f.name] = ctx[f.name] = meta.get(f.derived_from)
    duration = float(meta.get("duration_sec") or meta.get("AHT") or 120.0)
    turns = max(4, min(80, int(round(duration / 12.0))))
    parts = [Participant(id="agent", name=str(meta.get("agent", "Agent")), side="seller", role="agent"),
             Participant(id="caller", name="Caller", side="buyer", role="caller")]
    speakers = [t_ % 2 for t_ in range(turns)]
    scenario = str(meta.get("scenario", pop.domain or "inquiry"))
    beats = [Beat(kind="greeting", turn=0, speaker="agent"),
             Beat(kind="scenario", turn=1, speaker="caller", key=scenario),
             Beat(kind="close", turn=turns - 1 if (turns - 1) % 2 == 0 else turns - 2, speaker="agent")]
    return Call(id=call_id, kind="population", index=index, population=pop.name, date=d, time=t, start=start,
                start_utc=start_utc, weekday=wd, timezone=pop.timezone,
                locale=str(meta.get("language", pop.locale)) if isinstance(meta.get("language"), str) and "-" in str(meta.get("language")) else pop.locale,
                length="short" if turns <= 20 else "medium" if turns <= 40 else "long", target_turns=turns,
                target_duration_sec=round(duration, 3), medium="phone", participants=parts, speakers=speakers,
                beats=beats, metadata=meta)


def sample_field(r, f: P.FieldSpec) -> Any:
    p = f.params
    d = f.dist
    if d == "const":
        return p["value"]
    if d == "uniform":
        v = p["lo"] + (p["hi"] - p["lo"]) * r.random()
    elif d == "normal":
        v = rng.normal(r, p["mean"], p["sd"])
    elif d == "lognormal":
        v = rng.lognormal(r, p["median"], p["sigma"])
    elif d == "poisson":
        v = rng.poisson(r, p["lambda"])
    elif d == "bool":
        return r.random() < p["p"]
    elif d == "int":
        lo, hi = int(p["lo"]), int(p["hi"])
        v = lo + rng.below(r, hi - lo + 1)
    else:  # pragma: no cover - the checker rejects unknown samplers
        raise ValueError(d)
    if f.clamp:
        v = min(max(v, f.clamp[0]), f.clamp[1])
    if d in ("int", "poisson"):
        return int(v)
    if f.unit == "s":
        return int(round(v))
    return round(float(v), 3)
