"""Expand a population into calls, streamed: exact quotas per categorical
field (largest remainder, then a seeded shuffle), calls spread over the
window's days by weekday profile and over the hours by the hour profile, in
local time of the population's zone, and typed samplers per call."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import linecache
import math
from array import array
from functools import lru_cache
from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict, Field, field_validator

from corpusc.compiler import program as P
from corpusc.plan import rng
from corpusc.compiler.conditions import compiled, fields_of, holds
from corpusc.compiler.paths import STDLIB
from corpusc.plan.clock import WEEKDAY_NAMES, local_times
from corpusc.plan.model import HANDOVER, Beat, Call, Participant, fast



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


def schedule(prog: P.Program, pop: P.Population) -> tuple[list[dt.date], array, array]:
    """Every call's local day (index into the day list) and second of the day,
    in call order: the calendar is laid out before any field is drawn, so
    categories can depend on the hour and the weekday."""
    hours = hour_weights(pop)
    total_w = sum(h[3] for h in hours) or 1.0
    # What each hour is still owed from earlier days: a day's calls are
    # apportioned to its expected share plus that carry, so an hour whose
    # share is under one call a day still gets its calls over the window.
    carry = [0.0] * len(hours)
    days: list[dt.date] = []
    day_of = array("I")
    secs = array("I")
    for di, (date, count) in enumerate(day_counts(pop)):
        days.append(date)
        targets = [count * h[3] / total_w + c for h, c in zip(hours, carry)]
        per_hour = rng.apportion(count, [max(0.0, t) for t in targets]) if count else [0] * len(hours)
        carry = [t - q for t, q in zip(targets, per_hour)]
        day_r = rng.stream(prog.corpus.seed, "population", pop.name, "day", date.isoformat())
        times = []
        for (hour, m0, m1, _), q in zip(hours, per_hour):
            for _ in range(q):
                times.append(m0 * 60 + rng.below(day_r, (m1 - m0) * 60))
        times.sort()
        day_of.extend([di] * len(times))
        secs.extend(times)
    return days, day_of, secs


def _multipliers(pop: P.Population, field: str, values: list[str], days, day_of, secs,
                 spoken: list[str | None] | None = None,
                 intents: list[str | None] | None = None) -> list[list[float]] | None:
    """Per call, a weight multiplier per category from the `when` adjustments
    and, for the agent field, from the shifts (0 when off shift) and the
    languages the agent speaks (0 when the call's language, `spoken[k]`, is
    not among them); None when nothing adjusts this field. Computed once per
    (weekday, hour, language)."""
    whens = [w for w in pop.whens if field in w.adjust]
    shifted = field == "agent" and pop.shifts and any(a.shift in pop.shifts for a in pop.agents.values())
    tongues = spoken if field == "agent" and spoken and any(a.languages for a in pop.agents.values()) else None
    rules = plot_rules(pop.domain)
    routed = intents if field == "agent" and intents and any(a.team in rules.teams for a in pop.agents.values()) \
        else None
    if not whens and not shifted and tongues is None and routed is None:
        return None
    cache: dict[tuple, list[float]] = {}
    out = []
    for k, (di, sec) in enumerate(zip(day_of, secs)):
        wd = days[di].weekday()
        minute = sec // 60
        lang = tongues[k] if tongues is not None else None
        intent = routed[k] if routed is not None else None
        key = (wd, minute // 60, minute if shifted else 0, lang, intent)
        m = cache.get(key)
        if m is None:
            m = [1.0] * len(values)
            ctx = {"hour": minute // 60, "weekday": WEEKDAY_NAMES[wd]}
            for w in whens:
                if holds(w.cond, ctx):
                    adj = w.adjust[field]
                    m = [x * adj.get(v, 1.0) for x, v in zip(m, values)]
            if shifted:
                for i, v in enumerate(values):
                    a = pop.agents.get(v)
                    span = pop.shifts.get(a.shift) if a else None
                    if span and not (_minutes(span[0]) <= minute < _minutes(span[1])):
                        m[i] = 0.0
            if lang is not None:
                for i, v in enumerate(values):
                    a = pop.agents.get(v)
                    if a is not None and a.languages and lang not in a.languages:
                        m[i] = 0.0
            if intent in rules.routes:  # the intent's teams take the call when one of them is there to take it
                fit = [0.0 if (a := pop.agents.get(v)) is not None and a.team in rules.teams and
                       a.team not in rules.routes[intent] else x for x, v in zip(m, values)]
                if any(fit):
                    m = fit
            cache[key] = m
        out.append(m)
    return out


def _minutes(t: str) -> int:
    return int(t[:2]) * 60 + int(t[3:5])


def _assignments(prog: P.Program, pop: P.Population, days, day_of, secs) -> dict[str, tuple[list[str], array]]:
    """The category of each call for each categorical field. Exact quotas
    (largest remainder), shuffled by the population's stream; where `when`
    adjustments or shifts weigh categories per call, quotas are drawn call by
    call in a shuffled order with odds proportional to the remaining quota
    times the call's multiplier, so the totals stay exact and the categories
    move towards the calls that favour them."""
    out = {}
    n = len(secs)
    # the agent is chosen after the call's language, among those who speak it
    joint = joint_rules(pop.domain)
    # a joint field after its leading field (a region led by the device, the device by the channel)
    order = sorted(pop.categoricals, key=lambda c: (c.field == "agent", _depth(joint, c.field)))
    for cat in order:
        values = [c.value for c in cat.categories]
        r = rng.stream(prog.corpus.seed, "population", pop.name, "field", cat.field)
        spoken = intents = None
        if cat.field == "agent" and "language" in out:
            lv, la = out["language"]
            spoken = [lv[i] for i in la]
        if cat.field == "agent" and "intent" in out:
            iv, ia = out["intent"]
            intents = [iv[i] for i in ia]
        mult = _multipliers(pop, cat.field, values, days, day_of, secs, spoken, intents)
        arr = array("H", bytes(2 * n))
        if pop.sampling == "random":
            base = [c.weight for c in cat.categories]
            for k in range(n):
                w = [b * m for b, m in zip(base, mult[k])] if mult else base
                arr[k] = _draw(r, w if sum(w) > 0 else base)
        elif mult is None:
            arr = array("H")
            for i, q in enumerate(rng.apportion(n, [c.weight for c in cat.categories])):
                arr.extend([i] * q)
            rng.shuffle(r, arr)
        elif cat.field == "agent" and (exact := _within_shifts(r, mult, rng.apportion(
                n, [c.weight for c in cat.categories]))) is not None:
            arr = exact
        else:
            remaining = rng.apportion(n, [c.weight for c in cat.categories])
            order = array("I", range(n))
            rng.shuffle(r, order)
            hard = cat.field == "agent"  # a shift is a hard limit; a quota yields first
            for k in order:
                m = mult[k]
                w = [q * x for q, x in zip(remaining, m)]
                if sum(w) <= 0:
                    w = [c.weight * x for c, x in zip(cat.categories, m)] if hard and any(m) else \
                        [float(q) for q in remaining]
                i = _draw(r, w)
                arr[k] = i
                if remaining[i] > 0:
                    remaining[i] -= 1
        out[cat.field] = (values, arr)
        if mult is None and cat.field in joint:
            _join(r, out, cat.field, joint[cat.field], cat.field in spread_fields(pop.domain))
    return {c.field: out[c.field] for c in pop.categoricals}


def _depth(joint: dict[str, tuple[str, dict[str, frozenset[str]]]], field: str) -> int:
    """How many joint rules lead to `field` (0: none leads it)."""
    n = 0
    while field in joint and n <= len(joint):
        field, n = joint[field][0], n + 1
    return n


@lru_cache(maxsize=None)
def joint_rules(domain: str | None) -> dict[str, tuple[str, dict[str, frozenset[str]]]]:
    """Fields planned together with the field that leads them, so the metadata
    cannot contradict the dialogue the leading field drives (an escalation the
    scenario plays, a product the intent is about): data, per population domain
    (stdlib/domains/joint.json; `*` for every population, the domain's rules
    added over it). For each dependent field: its leading field and the values
    a call of each leading value may take (values not listed: any; a listed
    value absent from the spec is ignored). The dependent field keeps its exact
    quotas; only which calls get which value moves (a flow from leading values
    to quotas, like shifts)."""
    data = json.loads((STDLIB / "domains" / "joint.json").read_text(encoding="utf-8"))
    out: dict[str, tuple[str, dict[str, frozenset[str]]]] = {}
    for d in ("*", domain or "*"):
        for field, rule in (data.get(d) or {}).items():
            out[field] = (str(rule["lead"]), {str(k): frozenset(map(str, v)) for k, v in rule["allowed"].items()})
    return out


@lru_cache(maxsize=None)
def spread_fields(domain: str | None) -> frozenset[str]:
    """The joint fields whose rule says `spread`: each leading value's calls
    are dealt over all the values it allows (`_spread`), not first come first
    served (a card block on credit cards and on current accounts)."""
    data = json.loads((STDLIB / "domains" / "joint.json").read_text(encoding="utf-8"))
    return frozenset(f for d in ("*", domain or "*") for f, rule in (data.get(d) or {}).items() if rule.get("spread"))


# Metadata the call's plot decides, set from it instead of drawn free (a value
# the call contradicts is a wrong label a pipeline is scored against); data,
# read by `agree` here and by `corpusc verify`:
# - first contact resolution: the issue is settled in this call only when the
#   first agent resolves it; a callback, a hand-over or a supervisor leaves it
#   open (a self-service redirect keeps the drawn value: either is plausible):
#   `fcr_of_scenario` of stdlib/domains/plot.json;
# - the caller's sentiment: a call that plays a complaint or an escalation is
#   negative (the renderer writes an upset caller below MOOD_NEGATIVE), any
#   other call keeps its drawn score;
MOOD_NEGATIVE = -0.3  # render/template/service.py: a caller below this speaks upset
NO_COMPLAINT = "no_complaint"
# - holds: a share of the calls of each intent puts the caller on hold (the
#   agent checks, asks a colleague); the others have none (Hold_time 0), so a
#   hold is an event of the call, never of the channel. Calls with a hand-over
#   hold more often (the agent reaches the colleague first): `hold_share*` of
#   stdlib/domains/plot.json;
# - silences: dead air is short; the planned silence is spread over pauses of
#   at most SILENCE_MAX_SEC before caller turns (render/template/service.py),
#   at most SILENCE_SHARE of them, and a call has no more silence than those
#   turns can hold.
SILENCE_MAX_SEC = 8.0
SILENCE_FILL = 0.7  # the planned silence fills the pauses to this share of their room (so they can differ)
SILENCE_SHARE = 1 / 3  # at most this share of the middle's caller turns follows a silence
SILENCE_LEAST = 0.6  # a silence cut to its room fills at least this share of it (drawn per call)
# - device: a typed chat comes from a phone app or a computer, never a landline
#   (the `device_type` rule of stdlib/domains/joint.json).
# values a joint rule (stdlib/domains/joint.json) excludes that `corpusc verify` judges even though no rule lists them
JOINT_EXCLUDED: dict[str, frozenset[str]] = {"device_type": frozenset({"landline"})}


def agree(meta: dict[str, Any], hold_draw: float, rules: PlotRules) -> None:
    """Set the fields the call's plot decides (FCR, sentiment, whether there
    is a hold) from the scenario, intent and complaint the dialogue plays, by
    the population domain's `rules`. `hold_draw` is a uniform number of the
    call's own hold stream."""
    scen = meta.get("scenario")
    fcr = rules.fcr_of_scenario.get(scen) if isinstance(scen, str) else None
    if fcr is not None and isinstance(meta.get("FCR"), bool):
        meta["FCR"] = fcr
    s = meta.get("sentiment_score")
    if isinstance(s, (int, float)) and not isinstance(s, bool) and negative_call(meta) and s >= MOOD_NEGATIVE:
        # the drawn score's place in its range kept, moved into the negative band
        meta["sentiment_score"] = round(MOOD_NEGATIVE - 0.05 - 0.5 * (min(1.0, max(-1.0, float(s))) + 1) / 2, 3)
    h = meta.get("Hold_time")
    if isinstance(h, (int, float)) and not isinstance(h, bool) and h > 0:
        intent = meta.get("intent")
        share = rules.hold_share_handover if scen in HANDOVER else \
            rules.hold_share.get(intent, rules.hold_share_default) if isinstance(intent, str) else \
            rules.hold_share_default
        if hold_draw >= share:
            meta["Hold_time"] = 0 if isinstance(h, int) else 0.0
    nps = nps_bound(meta, rules)
    if nps is not None:
        meta["NPS_score"] = nps


def nps_bound(meta: dict[str, Any], rules: PlotRules) -> int | None:
    """The call's drawn `NPS_score` moved into the band its sentiment and
    resolution allow (`nps_bounds` of stdlib/domains/plot.json: no promoter
    on an upset, unresolved call; reviewer cc19 counted 12 that contradicted
    the call), or None when the call has no score or sentiment to agree."""
    n, s = meta.get("NPS_score"), meta.get("sentiment_score")
    if not isinstance(n, int) or isinstance(n, bool) or not isinstance(s, (int, float)) or isinstance(s, bool):
        return None
    for b in rules.nps_bounds:
        if b.applies(float(s), meta.get("FCR")):
            n = min(max(n, b.min), b.max)
    return n


def negative_call(meta: dict[str, Any]) -> bool:
    """Whether the call plays a complaint or a supervisor escalation (its caller is upset)."""
    cat = meta.get("complaint_category")
    return (isinstance(cat, str) and cat not in ("", NO_COMPLAINT)) or meta.get("scenario") == "escalation_to_supervisor"


# - routing: which teams of the roster (stdlib/domains/contact_center.corpus)
#   take an intent's calls. A call goes to an agent of one of them whenever
#   one is on shift and speaks the call's language; only when none is does
#   another team take it (shifts and languages are hard limits, routing yields):
#   `routes` of stdlib/domains/plot.json.


class NpsBound(BaseModel):
    """A band `NPS_score` keeps in the calls whose sentiment is below (or
    above) a value and, when `fcr` is set, whose FCR is that."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    sentiment_below: float | None = None
    sentiment_above: float | None = None
    fcr: bool | None = None
    min: int = Field(0, ge=0, le=10)
    max: int = Field(10, ge=0, le=10)

    def applies(self, s: float, fcr: Any) -> bool:
        return (self.sentiment_below is None or s < self.sentiment_below) and \
            (self.sentiment_above is None or s > self.sentiment_above) and (self.fcr is None or fcr is self.fcr)


class RepeatRule(BaseModel):
    """Which flag marks a repeat contact and in how many hours (`repeat` of
    stdlib/domains/plot.json), and per intent the intents a caller calls
    about again (`related`, read both ways)."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    field: str
    hours: int = Field(72, ge=1, le=24 * 31)
    related: dict[str, frozenset[str]] = {}

    def fits(self, earlier: str, later: str) -> bool:
        """Whether a caller who called about `earlier` may call again about `later`: the same intent or a related one."""
        return earlier == later or later in self.related.get(earlier, ()) or earlier in self.related.get(later, ())


class PlotRules(BaseModel):
    """One population domain's plot rules (stdlib/domains/plot.json, `*`
    with the domain's entries added over it), validated when read: a share
    outside 0..1 or a misspelt key is an error of the data, not a silent default."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    fcr_of_scenario: dict[str, bool]
    hold_share: dict[str, float]
    hold_share_default: float
    hold_share_handover: float
    routes: dict[str, frozenset[str]]
    min_turns: int = Field(4, ge=2)  # the fewest turns a call has (the outcome needs room: `min_turns` of plot.json)
    nps_bounds: tuple[NpsBound, ...] = ()  # the NPS band a call's sentiment and resolution allow (`nps_bound`)
    repeat: RepeatRule | None = None  # the flag of a repeat contact and its window (`_Repeats`)

    @field_validator("hold_share")
    @classmethod
    def _shares(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: x for k, x in v.items() if not 0.0 <= x <= 1.0}
        if bad:
            raise ValueError(f"hold shares outside 0..1: {bad}")
        return v

    @field_validator("hold_share_default", "hold_share_handover")
    @classmethod
    def _share(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"a hold share outside 0..1: {v}")
        return v

    @field_validator("routes")
    @classmethod
    def _teams(cls, v: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
        empty = [k for k, teams in v.items() if not teams]
        if empty:
            raise ValueError(f"intents routed to no team: {empty}")
        return v

    @property
    def teams(self) -> frozenset[str]:
        """Every team some intent is routed to (a roster's other teams take any call)."""
        return frozenset().union(*self.routes.values())


PLOT_FILE = STDLIB / "domains" / "plot.json"


@lru_cache(maxsize=None)
def plot_rules(domain: str | None) -> PlotRules:
    """The plot rules of a population domain (None: the `*` rules alone)."""
    data = json.loads(PLOT_FILE.read_text(encoding="utf-8"))
    merged: dict[str, Any] = {}
    for d in ("*", domain or "*"):
        for key, v in (data.get(d) or {}).items():
            merged[key] = {**merged[key], **v} if isinstance(v, dict) and isinstance(merged.get(key), dict) else v
    return PlotRules.model_validate(merged)


def misrouted(pop: P.Population, meta: dict[str, Any], locale: str, time: str) -> bool:
    """Whether a call went to a team outside its intent's routes although an
    agent of one of them was on shift and spoke the call's language."""
    routes = plot_rules(pop.domain).routes
    intent, agent = meta.get("intent"), pop.agents.get(str(meta.get("agent"))) if pop.agents else None
    if intent not in routes or agent is None or agent.team not in plot_rules(pop.domain).teams or \
            agent.team in routes[intent]:
        return False
    minute = _minutes(time)

    def there(a) -> bool:
        span = pop.shifts.get(a.shift) if pop.shifts and a.shift else None
        on = span is None or _minutes(span[0]) <= minute < _minutes(span[1])
        return on and (not a.languages or locale in a.languages)
    return any(a.team in routes[intent] and there(a) for a in pop.agents.values())




@lru_cache(maxsize=None)
def _role_names(locale: str) -> dict[str, dict[str, str]]:
    """How `locale` names a participant known only by its role (stdlib/phrases/<locale>/lexicon.json
    `participants`: per role, by gender); a locale without a lexicon names it as en-US does."""
    for loc in (locale, "en-US"):
        path = STDLIB / "phrases" / loc / "lexicon.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8")).get("participants") or {}
    return {}


def role_name(locale: str, role: str, gender: str) -> str:
    """The name a call in `locale` gives a participant known only by `role` ("Anruferin" for a German
    caller): language knowledge is data; a role the locale does not name is its own name, capitalized."""
    forms = _role_names(locale).get(role) or {}
    return forms.get(gender) or forms.get("*") or role.capitalize()


def _join(r, out: dict[str, tuple[list[str], array]], field: str,
          joint: tuple[str, dict[str, frozenset[str]]], spread: bool = False) -> None:
    """Re-deal `field`'s values over the calls so each call's value is one its
    leading field's value allows (`joint_rules`), when the leading field is
    already assigned and such a deal exists; else leave the assignment as drawn."""
    lead, rule = joint
    if lead not in out:
        return
    lvals, larr = out[lead]
    values, arr = out[field]
    quotas = [0] * len(values)
    for i in arr:
        quotas[i] += 1
    every = list(range(len(values)))
    edges = []
    for lv in lvals:
        allowed = [i for i, v in enumerate(values) if v in rule.get(lv, ())]
        edges.append(allowed if lv in rule and allowed else every)
    groups = [array("I") for _ in lvals]
    for k, g in enumerate(larr):
        groups[g].append(k)
    sizes = [len(g) for g in groups]
    # each value spread over the leading values that allow it in proportion to their calls (a card
    # block on credit cards and on current accounts, not all on one), when such a deal exists
    flow = _spread(sizes, quotas, edges) if spread else _max_flow(sizes, quotas, edges)
    if flow is None:  # no deal keeps every quota (a few calls, rounded shares): the quotas yield
        flow = _nearest_deal([len(g) for g in groups], quotas, edges)
    out[field] = (values, _deal(r, groups, flow, len(arr)))


def _spread(sizes: list[int], quotas: list[int], edges: list[list[int]]) -> list[list[int]] | None:
    """A deal meeting every quota in which each group's calls are spread over
    its allowed values in proportion to what is left of their quotas (the most
    constrained group first), as long as the groups after it can still be
    dealt (a maximum flow says so); from the first group that cannot, the
    maximum flow's deal. None when no deal meets every quota."""
    left = list(quotas)
    out: list[list[int]] = [[0] * len(quotas) for _ in sizes]
    order = sorted(range(len(sizes)), key=lambda g: (len(edges[g]), g))
    for n, g in enumerate(order):
        rest = order[n + 1:]
        share = rng.apportion(sizes[g], [float(left[j]) if j in edges[g] else 0.0 for j in range(len(left))]) \
            if any(left[j] > 0 for j in edges[g]) else None
        if share is not None and all(q <= left[j] for j, q in enumerate(share)):
            after = [a - q for a, q in zip(left, share)]
            tail = _max_flow([sizes[k] for k in rest], after, [edges[k] for k in rest]) if rest else \
                ([] if not any(after) else None)
            if tail is not None:
                out[g], left = share, after
                continue
        tail = _max_flow([sizes[k] for k in order[n:]], left, [edges[k] for k in order[n:]])
        if tail is None:
            return None
        for k, row in zip(order[n:], tail):
            out[k] = row
        return out
    return out


def _deal(r, groups: list[array], flow: list[list[int]], n: int) -> array:
    """Each group's calls dealt the values its row of `flow` counts, in a
    seeded shuffle: value index per call position."""
    arr = array("H", bytes(2 * n))
    for g, row in zip(groups, flow):
        deal = array("H")
        for i, q in enumerate(row):
            deal.extend([i] * q)
        rng.shuffle(r, deal)
        for k, i in zip(g, deal):
            arr[k] = i
    return arr


def _nearest_deal(sizes: list[int], quotas: list[int], edges: list[list[int]]) -> list[list[int]]:
    """A deal of each group's calls over its allowed values, the most
    constrained group first, each call taking the allowed value with the most
    quota left: the metadata never contradicts the call, even when the exact
    quotas cannot all hold."""
    left = list(quotas)
    out: list[list[int]] = [[0] * len(quotas) for _ in sizes]
    for k in sorted(range(len(sizes)), key=lambda k: len(edges[k])):
        for _ in range(sizes[k]):
            i = max(edges[k], key=lambda v: (left[v], quotas[v], -v))
            out[k][i] += 1
            left[i] -= 1
    return out


def _within_shifts(r, mult: list[list[float]], quotas: list[int]) -> array | None:
    """Agents' exact quotas with every call inside its agent's shift, when the
    multipliers are only shifts (0 or 1) and such an assignment exists: calls
    are grouped by which agents are on shift, a maximum flow from the groups
    to the agents' quotas decides how many calls of each group each agent
    takes, and each group's calls are dealt out in a seeded shuffle. None when
    `when` adjustments also weigh agents or the shifts cannot carry the
    quotas (then quotas yield, shifts do not)."""
    groups: dict[tuple, array] = {}  # call positions as 4-byte items: 36 bytes a call as a list of ints
    for k, m in enumerate(mult):
        if any(x not in (0.0, 1.0) for x in m):
            return None
        g = groups.get(key := tuple(m))
        if g is None:
            g = groups[key] = array("I")
        g.append(k)
    keys = list(groups)
    flow = _max_flow([len(groups[g]) for g in keys], quotas, [[i for i, x in enumerate(g) if x] for g in keys])
    if flow is None:
        return None
    return _deal(r, [groups[g] for g in keys], flow, len(mult))


def _max_flow(supply: list[int], demand: list[int], edges: list[list[int]],
              caps: list[dict[int, int]] | None = None) -> list[list[int]] | None:
    """Integer flow from groups (supply) to categories (demand) along `edges`
    (at most `caps[group][category]` on an edge, else the group's supply)
    that meets every supply and demand exactly, or None. Edmonds-Karp on a
    graph of a few groups and categories: source, groups, categories, sink."""
    g, c = len(supply), len(demand)
    if sum(supply) != sum(demand):
        return None
    n = g + c + 2
    src, snk = g + c, g + c + 1
    cap: list[dict[int, int]] = [dict() for _ in range(n)]

    def add(u: int, v: int, w: int) -> None:
        cap[u][v] = cap[u].get(v, 0) + w
        cap[v].setdefault(u, 0)

    for i, s_ in enumerate(supply):
        add(src, i, s_)
        for j in edges[i]:
            add(i, g + j, s_ if caps is None else min(s_, caps[i][j]))
    for j, d in enumerate(demand):
        add(g + j, snk, d)
    total = 0
    while True:
        prev = {src: src}
        queue = [src]
        for u in queue:  # breadth first, in index order: deterministic
            for v in sorted(cap[u]):
                if cap[u][v] > 0 and v not in prev:
                    prev[v] = u
                    queue.append(v)
            if snk in prev:
                break
        if snk not in prev:
            break
        push, v = None, snk
        while v != src:
            u = prev[v]
            push = cap[u][v] if push is None else min(push, cap[u][v])
            v = u
        v = snk
        while v != src:
            u = prev[v]
            cap[u][v] -= push
            cap[v][u] += push
            v = u
        total += push
    if total != sum(supply):
        return None
    return [[cap[g + j][i] if j in edges[i] else 0 for j in range(c)] for i in range(g)]


def _draw(r, weights) -> int:
    x = r.random() * sum(weights)
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w
        if x < acc:
            return i
    return max(i for i, w in enumerate(weights) if w > 0)


# seconds of a chat per message: about twelve words typed at 38-55 wpm, read by
# the other side, and the pause before the reply (render/timing.py's model)
CHAT_MESSAGE_SEC = 22.0
MIN_TURN_SEC, MIN_MESSAGE_SEC = 5.0, 9.0  # the least time a spoken turn, a typed message takes

TIME_BUCKETS = ((0, "night"), (6, "morning"), (12, "midday"), (14, "afternoon"), (18, "evening"), (22, "night"))


def time_of_day_bucket(hour: int) -> str:
    name = "night"
    for h, b in TIME_BUCKETS:
        if hour >= h:
            name = b
    return name


_BUCKET_OF_HOUR = [time_of_day_bucket(h) for h in range(24)]


# Numbers reserved for fiction and drama, never assigned to a subscriber
# (stdlib/numbers.json): a caller's number follows the call's region (a
# Bundesland's area code), device (a mobile calls from a mobile number) and
# language (a region of no country: the language's country).
NUMBERS_FILE = STDLIB / "numbers.json"
Block = tuple[str, str, str, int, int, int]  # calling code, area, prefix, lo, hi, width


@lru_cache(maxsize=None)
def _numbers() -> dict[str, Any]:
    return json.loads(NUMBERS_FILE.read_text(encoding="utf-8"))


def fictional_phone(r, locale: str) -> str:
    """A reserved number of the locale's country (any kind, any region)."""
    return _phone(r, _phone_plan(locale))


def _country(locale: str, region: str = "") -> dict[str, Any]:
    """The number plan of the region's country, else of the locale's (else the first: North America)."""
    countries = _numbers()["countries"]
    for c in countries.values():
        if region and region in c["regions"]:
            return c
    return next((c for c in countries.values() if locale in c["locales"]), next(iter(countries.values())))


def _phone_plan(locale: str, region: str = "", device: str = "", named: frozenset[str] = frozenset()) -> list[Block]:
    """The reserved blocks a caller of this locale, region and device calls
    from: the kinds of number the device uses (`devices`), landlines of the
    region's own area codes (a region the spec does not name, `other`: those
    of the regions in `named`'s complement); a device none of whose kinds the
    region has (a landline where no block is reserved) calls from a mobile."""
    c = _country(locale, region)
    kinds = _numbers()["devices"].get(device) or ["landline", "mobile"]
    own = region in c["regions"]
    out: list[Block] = []
    for kind in kinds:
        for area, prefix, lo, hi, width, where in c.get(kind) or ():
            if kind == "landline" and where and (where != region if own else where in named):
                continue
            out.append((c["code"], area, prefix, int(lo), int(hi), int(width)))
    if not out:
        out = [(c["code"], a, p, int(lo), int(hi), int(w)) for a, p, lo, hi, w, _ in c.get("mobile") or c["landline"]]
    return out


def _phone(r, blocks: list[Block]) -> str:
    cc, area, prefix, lo, hi, width = rng.pick(r, blocks)
    n = lo + rng.below(r, hi - lo + 1)
    return f"{cc}{area}{prefix}{n:0{width}d}"


class _Numbering:
    """A caller's number by the call's place in its population: the reserved
    numbers of the blocks (a few hundred at most: fiction has no more) in a
    seeded order that visits each once before any again, so two callers share
    a number only when the population has more callers of that kind than
    numbers (drawn at random, two of 136 German mobile callers shared one of
    the 200 numbers 46 times over)."""

    __slots__ = ("blocks", "sizes", "n", "a", "b")

    def __init__(self, blocks: list[Block], seed: int, *key: str):
        self.blocks = blocks
        self.sizes = [hi - lo + 1 for _, _, _, lo, hi, _ in blocks]
        self.n = n = sum(self.sizes)
        h = rng.stable_hash(str(seed), "ani", *key)
        a = 1 + h % max(n - 1, 1)
        while math.gcd(a, n) != 1:  # a step coprime to n: k -> a*k + b visits every number once per n calls
            a += 1
        self.a, self.b = a, (h >> 32) % n

    def __call__(self, k: int) -> str:
        i = (self.a * k + self.b) % self.n
        for (cc, area, prefix, lo, _, width), size in zip(self.blocks, self.sizes):
            if i < size:
                return f"{cc}{area}{prefix}{lo + i:0{width}d}"
            i -= size
        raise AssertionError("unreachable")


class _Clock:
    """`plan.local_times` for many calls: the zone's offset is looked up once
    per local day and the strings are built by arithmetic; a day on which the
    offset changes (a DST switch) takes the exact path for every call."""

    def __init__(self, tz: str):
        self.tz = tz
        self.days: dict[dt.date, tuple | None] = {}

    def __call__(self, date: dt.date, sec: int) -> tuple[str, str, str, str, str]:
        """Local date, time, ISO start with offset, UTC start, weekday of the
        call `sec` seconds into the local day `date`."""
        base = self.days.get(date, False)
        if base is False:
            base = self.days[date] = self._day(date)
            if len(self.days) > 4096:
                self.days.clear()
        hh, rem = divmod(sec, 3600)
        mm, ss = divmod(rem, 60)
        if base is None:
            return local_times(date, hh, mm, ss, self.tz)
        d, wd, offset, s0, utc_dates = base
        t = f"{hh:02d}:{mm:02d}:{ss:02d}"
        q, u = divmod(s0 + sec, 86400)  # the UTC day (the local midnight's, or the next) and second in it
        uh, rem = divmod(u, 3600)
        um, us = divmod(rem, 60)
        return d, t, f"{d}T{t}{offset}", f"{utc_dates[q]}T{uh:02d}:{um:02d}:{us:02d}.000Z", wd

    def _day(self, date: dt.date) -> tuple | None:
        """(date, weekday, offset text, UTC second of day of local midnight,
        that UTC date and the next), or None when the offset changes that day."""
        try:
            a = local_times(date, 0, 0, 0, self.tz)
            b = local_times(date, 23, 59, 59, self.tz)
            utc0 = dt.datetime.strptime(a[3], "%Y-%m-%dT%H:%M:%S.000Z")
            dates = tuple((utc0 + dt.timedelta(days=i)).strftime("%Y-%m-%d") for i in (0, 1))
        except OverflowError:  # the day reaches past 9999-12-31 in UTC: the exact path, call by call
            return None
        if not (a[2][19:] == b[2][19:] and a[0] == b[0] == date.isoformat() and a[1] == "00:00:00"):
            return None
        return a[0], a[4], a[2][19:], utc0.hour * 3600 + utc0.minute * 60 + utc0.second, dates


class Expander:
    """One population's calls by position. The calendar and the category
    assignments are laid out once; after that any call k is made on its own
    (each call draws from its own random stream), so build workers can expand
    disjoint ranges of one population and get the calls a single pass would."""

    def __init__(self, prog: P.Program, pop: P.Population, base_index: int):
        self.prog, self.pop, self.base = prog, pop, base_index
        self.days, self.day_of, self.secs = schedule(prog, pop)
        self.cats = _assignments(prog, pop, self.days, self.day_of, self.secs)
        self.width = max(5, len(str(pop.count)))
        self.clock = _Clock(pop.timezone)
        self.whens = [(compiled(w.cond), [(f, sampler(f)) for f in w.fields]) for w in pop.whens if w.fields]
        self.fields = [(f, sampler(f)) for f in pop.fields]
        # When every `when` reads only categories, hour and weekday (which no
        # field overwrites), the fields a call draws depend on those values
        # alone: worked out once per combination instead of per call.
        reads = set().union(*(fields_of(w.cond) for w in pop.whens if w.fields))
        written = {f.name for f in pop.fields} | {f.name for w in pop.whens for f in w.fields}
        self.keyed = sorted(reads) if reads <= {*self.cats, "hour", "weekday"} and not reads & written else None
        self.draws: dict[tuple, Any] = {}  # the plan (`fill`) of each key
        self.fills: dict[tuple, Any] = {}  # one per distinct list of fields
        self.phones: dict[tuple, _Numbering] = {}  # the reserved numbers by locale, region and device
        self.numberings: dict[tuple, _Numbering] = {}  # by the blocks
        # the regions the spec names (`other` is none of them: it calls from the area codes of the rest)
        self.regions = frozenset(c.value for cat in pop.categoricals if cat.field == "region" for c in cat.categories)
        self.min_turns = plot_rules(pop.domain).min_turns  # the fewest turns a call of the domain has
        self.seed = prog.corpus.seed
        self.stream = rng.streams(prog.corpus.seed, "population", pop.name, "call")
        self.hold_stream = rng.streams(prog.corpus.seed, "population", pop.name, "hold")
        # where a call's silence is more than its pauses can hold: how much of their room it fills (its own stream,
        # so every other draw of the call stays as it was)
        self.silence_stream = rng.streams(prog.corpus.seed, "population", pop.name, "silence")
        # frozen parts many calls share (participants, beats), made once each
        self.shared: dict[tuple, Any] = {}
        # the repeat contacts: which earlier call each flagged call repeats, and whose caller it is
        rule = plot_rules(pop.domain).repeat
        declared = {f.name for f in pop.fields} | {f.name for w in pop.whens for f in w.fields}
        self.repeats = _Repeats(self, rule) if rule is not None and rule.field in declared else None

    def __len__(self) -> int:
        return len(self.secs)

    def __iter__(self) -> Iterator[Call]:
        for k in range(len(self.secs)):
            yield self.call(k)

    def call(self, k: int) -> Call:
        return self._call(k, self.clock(self.days[self.day_of[k]], self.secs[k]))

    def _colleague(self, r, role: str, locale: str, agent: Any, agent_name: str) -> Participant:
        """Who picks up after a hand-over: another agent of the roster who
        speaks the call's language (drawn from the call's stream), else the
        role itself."""
        pop = self.pop
        others = sorted(n for n, a in (pop.agents or {}).items()
                        if n != agent and a.display != agent_name and (not a.languages or locale in a.languages))
        if others:
            a = pop.agents[others[rng.below(r, len(others))]]
            name, gender = a.display, a.gender
        else:
            name, gender = role_name(locale, role, "neutral"), "neutral"
        return self._part(("colleague", role, name, gender), lambda: fast(
            Participant, id=role, name=name, side="seller", role=role, gender=gender))

    def _part(self, key: tuple, make) -> Any:
        v = self.shared.get(key)
        if v is None:
            v = self.shared[key] = make()
        return v

    def _plan(self, ctx: dict):
        """What a call with these values draws, as one function of the call's
        stream and metadata (`fill`): base fields, then each matching `when`'s,
        then the derived fields copied. Plans with the same fields share it."""
        draws, derived = [], []
        for f, _ in self.fields:
            (derived if f.derived_from is not None else draws).append(f)
        for test, fields in self.whens:
            if test(ctx):
                for f, _ in fields:
                    (derived if f.derived_from is not None else draws).append(f)
        key = tuple(map(id, draws + derived))
        fn = self.fills.get(key)
        if fn is None:
            fn = self.fills[key] = fill(draws, derived)
        return fn

    def _sample(self, r, meta: dict, ctx: dict) -> None:
        """The general case: `when` conditions that read sampled fields are
        tested per call, each on the values drawn so far."""
        derived = []
        for f, draw in self.fields:  # base samplers, in declaration order
            if f.derived_from is not None:
                derived.append(f)
                continue
            meta[f.name] = ctx[f.name] = draw(r)
        for test, fields in self.whens:  # conditional overrides see categoricals and sampled fields
            if test(ctx):
                for f, draw in fields:
                    if f.derived_from is not None:
                        derived.append(f)
                    else:
                        meta[f.name] = ctx[f.name] = draw(r)
        for f in derived:
            meta[f.name] = meta.get(f.derived_from)

    def _drawn(self, k: int, hour: int, wd: str) -> tuple[Any, dict[str, Any]]:
        """Call k's stream and its categories and drawn fields (before the plot agrees them)."""
        r = self.stream(str(k))
        meta: dict[str, Any] = {name: values[arr[k]] for name, (values, arr) in self.cats.items()}
        if self.keyed is not None:
            key = tuple(hour if x == "hour" else wd if x == "weekday" else meta[x] for x in self.keyed)
            plan = self.draws.get(key)
            if plan is None:
                plan = self.draws[key] = self._plan(dict(meta, hour=hour, weekday=wd))
            plan(r.random, meta)
        else:
            self._sample(r, meta, dict(meta, hour=hour, weekday=wd))
        return r, meta

    def _locale(self, meta: dict[str, Any]) -> str:
        language = meta.get("language")
        return language if isinstance(language, str) and "-" in language else self.pop.locale

    def _numbering(self, where: tuple[str, str, str]) -> _Numbering:
        """The numbering of the callers who call from the blocks of `where` (locale, region, device)."""
        numbering = self.phones.get(where)
        if numbering is None:
            # one numbering for every kind of caller calling from the same blocks (German mobiles of any
            # region): two callers of the population share a number only once it has run out of them
            same = tuple(_phone_plan(*where, self.regions))
            numbering = self.numberings.get(same)
            if numbering is None:
                numbering = self.numberings[same] = _Numbering(list(same), self.seed, self.pop.name, repr(same))
            self.phones[where] = numbering
        return numbering

    def _where(self, k: int) -> tuple[str, str, str]:
        """Call k's locale, region and device: whose numbers its caller calls from."""
        meta = {name: values[arr[k]] for name, (values, arr) in self.cats.items()}
        return self._locale(meta), str(meta.get("region") or ""), str(meta.get("device_type") or "")

    def _call(self, k: int, when) -> Call:
        pop = self.pop
        call_id = f"{pop.name}.{k + 1:0{self.width}d}"
        d, t, start, start_utc, wd = when
        hour = int(t[:2])
        r, meta = self._drawn(k, hour, wd)
        locale = self._locale(meta)
        agent = pop.agents.get(meta.get("agent")) if pop.agents else None
        if agent is not None:  # the roster entry right after the agent's key
            linked = {}
            for key, v in meta.items():
                linked[key] = v
                if key == "agent":
                    linked.update(agent_name=agent.display, team=agent.team, agent_shift=agent.shift)
            meta = linked
        meta["time_of_day_bucket"] = _BUCKET_OF_HOUR[hour]
        agree(meta, self.hold_stream(str(k)).random(), plot_rules(pop.domain))
        ratio = meta.get("Silence_ratio")
        if isinstance(ratio, (int, float)) and "Silence_total_seconds" not in meta and "duration_sec" in meta:
            meta["Silence_total_seconds"] = round(ratio / 100 * float(meta["duration_sec"]), 3)
        where = (locale, str(meta.get("region") or ""), str(meta.get("device_type") or ""))
        numbering = self._numbering(where)
        _phone(r, numbering.blocks)  # (drawn as before, so the rest of the call's draws are the same)
        meta["ANI"] = numbering(k)
        caller_gender = "female" if r.random() < 0.5 else "male"
        if self.repeats is not None:  # the caller of a repeat is the earlier call's caller (`_Repeats`)
            caller_gender = self.repeats.identify(k, meta, caller_gender)
        duration = float(meta.get("duration_sec") or meta.get("AHT") or 120.0)
        # a chat is typed and read: a message and its reading take longer than a spoken turn
        chat = meta.get("channel") == "text"
        if chat and isinstance(meta.get("Interruptions_count"), int) and meta["Interruptions_count"] > 0:
            meta["Interruptions_count"] = 0  # typed messages never talk over each other (a later `when` drew some)
        # the turns fill the time not spent waiting (the hold, the silences): a long hold is no talk
        talk = duration - sum(float(meta[k]) for k in ("Hold_time", "Silence_total_seconds")
                              if isinstance(meta.get(k), (int, float)) and not isinstance(meta.get(k), bool))
        # never fewer turns than the domain's calls need to play their outcome (plot.json `min_turns`: a
        # bank call's greeting, request, identity check, two exchanges of the outcome and close)
        per = CHAT_MESSAGE_SEC if chat else 12.0
        turns = max(self.min_turns, min(80, int(round(max(duration * 0.3, talk) / per))))
        # and those turns take their time: a call shorter than its domain's fewest turns need is lengthened to them
        # (a 142 s bank chat has nine messages to type, not the six its length would give; as a hand-over's turns do)
        duration += max(0.0, self.min_turns * per - max(duration * 0.3, talk))
        # room for what the metadata says happened: a hold is announced, agreed to and returned from
        # (three turns), a silence sits before a caller's turn, each interruption cuts into a turn
        turns = min(80, max(turns, 4 + 3 * _positive(meta.get("Hold_time")) + 2 * _positive(
            meta.get("Silence_total_seconds")) + 2 * int(_positive(meta.get("Interruptions_count"), count=True))))
        silence = meta.get("Silence_total_seconds")
        if _positive(silence):  # no more dead air than pauses before the middle's caller turns can hold
            end = turns - 1 if (turns - 1) % 2 == 0 else turns - 2
            # a long pause before at most a third of the middle's caller turns (SILENCE_SHARE): the other
            # turns follow at once, so dead air is a moment of the call, not its rhythm
            room = max(1, int(((end - 2) // 2 - 1) * SILENCE_SHARE)) * SILENCE_MAX_SEC * SILENCE_FILL
            if silence > room:
                # not the room itself: at the room, every call of as many pauses said the same total (5.6, 11.2,
                # 16.8 s: 79 of the example's 170 voice calls); a share of it drawn per call spreads them
                room = round(room * (SILENCE_LEAST + (1 - SILENCE_LEAST) * self.silence_stream(str(k)).random()), 1)
            dur = float(meta.get("duration_sec") or 0)
            if silence > room and dur > 0 and isinstance(meta.get("Silence_ratio"), (int, float)):
                meta["Silence_ratio"] = ratio = round(100 * room / dur, 3)  # the ratio and the seconds agree
                meta["Silence_total_seconds"] = round(ratio / 100 * dur, 3)
            elif silence > room:
                meta["Silence_total_seconds"] = round(room, 3)
        # waits that leave the turns too little time (a 60 s hold in a 70 s call) lengthen the call: the
        # rendered length, which `duration_sec` reports, is the waits and the turns' time together
        duration = max(duration, duration - talk + turns * (MIN_MESSAGE_SEC if chat else MIN_TURN_SEC))
        # built without validation (plan_model.fast): every value is made here,
        # typed as the model says, and this runs once per call of a large
        # population; the frozen participants and beats are shared between calls
        agent_name = agent.display if agent else str(meta.get("agent", "Agent"))
        agent_gender = agent.gender if agent else "neutral"
        part = self._part
        parts = [part(("agent", agent_name, agent_gender),
                      lambda: fast(Participant, id="agent", name=agent_name, side="seller", role="agent",
                                   gender=agent_gender)),
                 part(("caller", caller_gender, locale),
                      lambda: fast(Participant, id="caller", name=role_name(locale, "caller", caller_gender),
                                   side="buyer", role="caller", gender=caller_gender))]
        scenario = str(meta.get("scenario", pop.domain or "inquiry"))
        close = turns - 1 if (turns - 1) % 2 == 0 else turns - 2
        beats = [part(("greeting",), lambda: fast(Beat, kind="greeting", turn=0, speaker="agent")),
                 part(("scenario", scenario),
                      lambda: fast(Beat, kind="scenario", turn=1, speaker="caller", key=scenario)),
                 part(("close", close), lambda: fast(Beat, kind="close", turn=close, speaker="agent"))]
        speakers = part(("speakers", turns), lambda: [t_ % 2 for t_ in range(turns)])
        role = HANDOVER.get(scenario)
        if role is not None:  # the agent hands the caller over in the call: the new agent picks up
            if isinstance(meta.get("Transfers_count"), int) and meta["Transfers_count"] < 1:
                meta["Transfers_count"] = 1  # the hand-over the dialogue plays is one transfer
            parts = parts + [self._colleague(r, role, locale, meta.get("agent"), agent_name)]
            # after the agent's hand-over the caller acknowledges, the new agent picks up, the caller
            # answers, the new agent takes it from there
            more = ([1] if speakers[-1] == 0 else []) + [2, 1, 2]
            speakers = speakers + more
            turns = len(speakers)
            duration += len(more) * per  # the hand-over's turns take their time
        return fast(Call, id=call_id, kind="population", index=self.base + k, population=pop.name, date=d,
                    time=t, start=start, start_utc=start_utc, weekday=wd, timezone=pop.timezone, locale=locale,
                    length="short" if turns <= 20 else "medium" if turns <= 40 else "long", target_turns=turns,
                    target_duration_sec=round(duration, 3), medium="chat" if chat else "phone", participants=parts,
                    speakers=speakers, beats=beats, metadata=meta)


# - repeat contacts: a call the flag `repeat.field` (stdlib/domains/plot.json) marks is the repeat of an
#   earlier contact of its caller in the `repeat.hours` before it. Where the corpus holds a fitting
#   earlier call of the same language in that window, the repeat's caller is that call's caller (the
#   same customer, number, gender and so name and birth date: `customer_id` says who), the metadata's
#   `repeat_of` names that call and `days_since_previous_contact` the days between their local dates;
#   the earlier call is the caller's latest (a call repeated once is not repeated again: its repeat is;
#   `repeated_by` names a call's repeat),
#   one that left something open (FCR false) about the same intent where there is one, else one about a
#   related intent (`repeat.related`); never a call resolved at first contact about the same intent
#   (it would not be a first-contact resolution). Where none fits and the window reaches before the
#   corpus's first day, the earlier contact lies before the corpus: `repeat_of` null, the days drawn among
#   those before the first day. Where neither can be, the flag is cleared (the call is no repeat). The
#   rest of the calls are first contacts of callers of their own.
REPEAT_SCAN = 256  # the most earlier calls of its language a repeat looks at (the latest first)
REPEAT_PROBE = 64  # the most numbers a first caller's numbering moves on to find one not called from in the window


class _Repeats:
    """The repeat contacts of one population, worked out once in call order:
    per call, the earlier call it repeats (`link`: -2 none, -1 before the
    corpus, -3 flagged but no earlier contact can be, so unflagged), whose
    caller it is (`root`, the caller's first call in the corpus) and the days
    since that contact (`gap`): compact arrays, the calls themselves never
    held. A pure function of the plan and the seed: every build worker
    works out the same."""

    __slots__ = ("ex", "rule", "link", "root", "gap", "gender", "shift", "next")

    def __init__(self, ex: Expander, rule: RepeatRule):
        self.ex, self.rule = ex, rule
        n = len(ex)
        self.link = array("i", [-2]) * n
        self.next = array("i", [-1]) * n  # the later call that repeats this one (-1: none)
        self.root = array("I", range(n))
        self.gap = bytearray(n)
        self.gender = bytearray(n)  # 1: the call's own caller is a woman (the plan's draw)
        # a caller's number: its numbering's number `shift` places on, so that no two callers share one
        # within the window while the numbering has numbers left (callers of two kinds, a computer's and
        # a mobile's, call from some of the same blocks: seven unflagged pairs shared one in the example)
        self.shift = array("I", bytes(4 * n))
        used: dict[str, tuple[int, int]] = {}  # number -> (when last called, whose)
        fcr_of = plot_rules(ex.pop.domain).fcr_of_scenario
        first = dt.date.fromisoformat(ex.pop.window_start)
        span = rule.hours * 3600
        days = rule.hours // 24
        # the weekdays the population takes calls on (those of its window's days with calls): an earlier
        # contact before the corpus falls on one of them (no Sunday call to a bank open on weekdays)
        open_days = {d.weekday() for d, c in day_counts(ex.pop) if c}
        latest: dict[str, list[int]] = {}  # per language: calls in time order (a repeated call marked `done`)
        lo: dict[str, int] = {}
        done = bytearray(n)
        opened = bytearray(n)  # 1: the call left something open (FCR false, or no FCR said)
        intents = ex.cats.get("intent")
        iarr = intents[1] if intents is not None else None
        names = intents[0] if intents is not None else [""]
        fits = [[rule.fits(a, b) for b in names] for a in names]  # by the intents' value indices: earlier, later
        seg, reg = (ex.cats[f][1] if f in ex.cats else None for f in ("customer_segment", "region"))
        kinds: dict[tuple[str, str, str], int] = {}  # the number blocks of each (locale, region, device)
        plan_of = array("H", bytes(2 * n))
        when = array("q", bytes(8 * n))
        for k in range(n):
            date = ex.days[ex.day_of[k]]
            sec = ex.secs[k]
            when[k] = date.toordinal() * 86400 + sec
            _, t, _, _, wd = ex.clock(date, sec)  # (the hour and weekday `_call` draws with)
            r, meta = ex._drawn(k, int(t[:2]), wd)
            locale = ex._locale(meta)
            where = (locale, str(meta.get("region") or ""), str(meta.get("device_type") or ""))
            numbering = ex._numbering(where)
            _phone(r, numbering.blocks)  # the call's draws up to its caller's gender, as `_call` makes them
            self.gender[k] = r.random() < 0.5
            plan_of[k] = kinds.setdefault(tuple(numbering.blocks), len(kinds))  # type: ignore[arg-type]
            scen = meta.get("scenario")
            fcr = fcr_of.get(scen) if isinstance(scen, str) else None
            fcr = meta.get("FCR") if fcr is None else fcr
            opened[k] = fcr is not True
            mine = latest.setdefault(locale, [])
            if meta.get(rule.field) is True:
                while lo.get(locale, 0) < len(mine) and when[mine[lo.get(locale, 0)]] <= when[k] - span:
                    lo[locale] = lo.get(locale, 0) + 1
                best, rank, seen = -1, None, 0
                ik = iarr[k] if iarr is not None else 0
                for j in reversed(mine[lo.get(locale, 0):]):
                    if done[j]:
                        continue
                    seen += 1
                    if seen > REPEAT_SCAN:
                        break
                    ij = iarr[j] if iarr is not None else 0
                    same = ij == ik
                    if plan_of[j] != plan_of[k] or not fits[ij][ik] or (same and not opened[j]):
                        continue  # a number of another kind, unrelated, or resolved at first contact: no repeat of it
                    key = (0 if same else 1 if opened[j] else 2, seg is not None and seg[j] != seg[k],
                           reg is not None and reg[j] != reg[k])
                    if rank is None or key < rank:
                        best, rank = j, key
                        if key == (0, False, False):
                            break  # none fits better
                if best >= 0:
                    self.link[k] = best
                    self.next[best] = k
                    self.root[k] = self.root[best]
                    self.gap[k] = (date - ex.days[ex.day_of[best]]).days
                    done[best] = 1  # the caller's latest call is now this one
                else:
                    before = [g for g in range(1, days + 1) if (date - dt.timedelta(days=g)) < first and
                              (date - dt.timedelta(days=g)).weekday() in open_days]
                    if before:
                        self.link[k] = -1
                        self.gap[k] = before[rng.below(rng.stream(ex.seed, "population", ex.pop.name, "repeat",
                                                                  str(k)), len(before))]
                    else:
                        self.link[k] = -3
            root = self.root[k]
            if root == k:
                for step in range(min(numbering.n, REPEAT_PROBE)):
                    u = used.get(numbering(k + step))
                    if u is None or u[1] == k or u[0] <= when[k] - span:
                        self.shift[k] = step
                        break
                number = numbering(k + self.shift[k])
            else:
                number = ex._numbering(ex._where(root))(root + self.shift[root])
            used[number] = (when[k], root)
            mine.append(k)
            if lo.get(locale, 0) > 4096:  # calls long out of every window: let go of them
                del mine[:lo[locale]]
                lo[locale] = 0

    def identify(self, k: int, meta: dict[str, Any], gender: str) -> str:
        """Set call k's caller metadata (who the customer is, the call repeated and the days since it) and
        return the caller's gender: the earlier call's caller's on a repeat."""
        link, root = self.link[k], self.root[k]
        field = self.rule.field
        if link == -3:
            meta[field] = False  # no earlier contact can be: no repeat
        ex = self.ex
        if root != k:
            meta["ANI"] = ex._numbering(ex._where(root))(root + self.shift[root])
            gender = "female" if self.gender[root] else "male"
        elif self.shift[k]:
            meta["ANI"] = ex._numbering(ex._where(k))(k + self.shift[k])
        meta["customer_id"] = customer_id(self.ex.seed, self.ex.pop.name, root)
        meta["repeat_of"] = f"{self.ex.pop.name}.{link + 1:0{self.ex.width}d}" if link >= 0 else None
        later = self.next[k]
        meta["repeated_by"] = f"{self.ex.pop.name}.{later + 1:0{self.ex.width}d}" if later >= 0 else None
        meta["days_since_previous_contact"] = self.gap[k] if link >= -1 else None
        # what the earlier contact was about: the call repeated's intent (before the corpus: this one's)
        intents = ex.cats.get("intent")
        meta["previous_contact_intent"] = (intents[0][intents[1][link]] if link >= 0 else meta.get("intent")) \
            if intents is not None and link >= -1 else None
        return gender


def customer_id(seed: int, pop: str, root: int) -> str:
    """The customer number of the caller whose first call in the population is `root`: eight digits, the
    one the caller gives in the words (render/template/service.py)."""
    return str(10_000_000 + rng.stable_hash(str(seed), "customer", pop, str(root)) % 90_000_000)


def _positive(v: Any, count: bool = False) -> int:
    """1 when `v` is a number above 0 (`count`: the number itself, as a whole count), else 0."""
    if not isinstance(v, (int, float)) or isinstance(v, bool) or v <= 0:
        return 0
    return int(v) if count else 1


def population_calls(prog: P.Program, pop: P.Population, base_index: int) -> Iterator[Call]:
    return iter(Expander(prog, pop, base_index))


def sample_field(r, f: P.FieldSpec) -> Any:
    return sampler(f)(r)


def sampler(f: P.FieldSpec):
    """`f`'s draw as a function of the call's stream, with its parameters,
    clamp and rounding bound once (a population draws every field per call)."""
    p = f.params
    d = f.dist
    if f.derived_from is not None:
        return None
    if d == "const":
        value = p["value"]
        return lambda r: value
    if d == "bool":
        prob = p["p"]
        return lambda r: r.random() < prob
    if d == "uniform":
        lo, hi = p["lo"], p["hi"]
        draw = lambda r: lo + (hi - lo) * r.random()  # noqa: E731
    elif d == "normal":
        mean, sd = p["mean"], p["sd"]
        draw = lambda r: rng.normal(r, mean, sd)  # noqa: E731
    elif d == "lognormal":
        median, sigma = p["median"], p["sigma"]
        draw = lambda r: rng.lognormal(r, median, sigma)  # noqa: E731
    elif d == "poisson":
        lam = p["lambda"]
        draw = lambda r: rng.poisson(r, lam)  # noqa: E731
    elif d == "int":
        ilo, n = int(p["lo"]), int(p["hi"]) - int(p["lo"]) + 1
        draw = lambda r: ilo + rng.below(r, n)  # noqa: E731
    else:  # pragma: no cover - the checker rejects unknown samplers
        raise ValueError(d)
    if d in ("int", "poisson"):
        finish = int
    elif f.unit == "s":
        def finish(v):
            return int(round(v))
    else:
        def finish(v):
            return round(float(v), 3)
    if f.clamp:
        cl, ch = f.clamp

        def clamped(r):
            return finish(min(max(draw(r), cl), ch))
        return clamped
    return lambda r: finish(draw(r))


def fill(draws: list[P.FieldSpec], derived: list[P.FieldSpec]):
    """`fn(rnd, meta)` that sets `draws` in order from the stream `rnd` (its
    `random` method) and then copies the `derived` fields: what calling each
    field's `sampler` and copying does, with the same arithmetic in the same
    order, so the same values; but written out as one generated function,
    without the calls per field (a population makes one call per draw
    otherwise). A draw that a later one of the same field replaces (a
    `when`'s override) takes its numbers from the stream and its place in
    `meta` but skips its arithmetic. The fields' parameters are bound as
    constants, never written into the source."""
    env: dict[str, Any] = {"sqrt": math.sqrt, "log": math.log, "cos": math.cos, "exp": math.exp, "pi": math.pi}

    def const(v: Any) -> str:
        name = f"_{len(env)}"
        env[name] = v
        return name

    last = {f.name: i for i, f in enumerate(draws)}
    body = []
    for i, f in enumerate(draws):
        key, p, d = const(f.name), f.params, f.dist
        live = last[f.name] == i
        if d == "const":
            body.append(f"m[{key}] = {const(p['value']) if live else 'None'}")
            continue
        if d == "bool":
            body.append(f"m[{key}] = rnd() < {const(p['p'])}" if live else f"rnd(); m[{key}] = None")
            continue
        z = "(sqrt(-2.0 * log(1.0 - rnd())) * cos(2.0 * pi * rnd()))"  # rng.normal's z: u1, then u2
        if d == "uniform":
            v = f"{const(p['lo'])} + ({const(p['hi'])} - {const(p['lo'])}) * rnd()"
        elif d == "normal":
            v = f"{const(p['mean'])} + {const(p['sd'])} * {z}"
        elif d == "lognormal":  # rng.lognormal: median * exp(sigma * normal(r)), normal's mean 0.0 and sd 1.0
            v = f"{const(p['median'])} * exp({const(p['sigma'])} * (0.0 + 1.0 * {z}))"
        elif d == "poisson":
            lam = p["lambda"]
            if lam < 30:  # rng.poisson's product of uniforms, its count of draws data-dependent
                body += ["k = 0; q = 1.0", "while True:", "    q *= rnd()",
                         f"    if q <= {const(math.exp(-lam))}: break", "    k += 1"]
                v = "k"
            else:
                v = f"max(0, int(round({const(lam)} + {const(math.sqrt(lam))} * {z})))"
        elif d == "int":
            lo, n = int(p["lo"]), int(p["hi"]) - int(p["lo"]) + 1
            v = f"{const(lo)} + min({const(n - 1)}, int(rnd() * {const(n)}))" if n > 0 else const(lo)
        else:  # pragma: no cover - the checker rejects unknown samplers
            raise ValueError(d)
        if not live:
            # the stream moves on as the draw would move it; the value is replaced later
            body.append("; ".join(["rnd()"] * v.count("rnd()") + [f"m[{key}] = None"]))
            continue
        if f.clamp:
            v = f"min(max({v}, {const(f.clamp[0])}), {const(f.clamp[1])})"
        if d in ("int", "poisson"):
            v = f"int({v})"
        elif f.unit == "s":
            v = f"int(round({v}))"
        else:
            v = f"round(float({v}), 3)"
        body.append(f"m[{key}] = {v}")
    for f in derived:
        body.append(f"m[{const(f.name)}] = m.get({const(f.derived_from)})")
    src = "def fn(rnd, m):\n" + "".join(f"    {line}\n" for line in body or ["pass"])
    name = f"<population fill {next(_FILLS)}>"
    linecache.cache[name] = (len(src), None, src.splitlines(True), name)  # a traceback shows the source
    exec(compile(src, name, "exec"), env)
    return env["fn"]


_FILLS = itertools.count(1)
