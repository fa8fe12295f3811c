"""Check a `population` block: volume, calendar, categorical weights, typed
samplers with clamps, and conditional fields."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from corpusc.compiler import bounds
from corpusc.compiler import nodes as n
from corpusc.compiler import program as P
from corpusc.compiler.conditions import fields_of, scalar
from corpusc.compiler.props import typed_props
from corpusc.compiler.schema import SCHEMAS, Block, KindError, did_you_mean, seconds, split_line

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DISTS = {"uniform": ("lo", "hi"), "normal": ("mean", "sd"), "lognormal": ("median", "sigma"),
         "poisson": ("lambda",), "bool": ("p",), "int": ("lo", "hi"), "const": ("value",)}


def check_population(ck: Any, d: n.PopulationDecl, corpus: P.Corpus) -> P.Population | None:
    """`ck` is the calling checker (compiler.check.Checker): its sink and its
    shared value checks (timezone, hours, ratio, reps), passed in so the two
    modules do not import each other."""
    sink = ck.sink
    schema = SCHEMAS["population"]
    closed = Block(props=schema.props)
    lines = [q for p in d.props for q in (split_line(p, closed) if p.name.value in schema.props else [p])]
    known = [p for p in lines if p.name.value in schema.props]
    other = [p for p in lines if p.name.value not in schema.props]
    p = typed_props(known, schema, sink, owner=f"population `{d.name.value}`", owner_span=d.name.span)
    ok = True
    tz = ck.timezone(p.values["timezone"], p.nodes["timezone"].span) if "timezone" in p.values \
        else corpus.timezone
    # window
    start, end = _window(ck, p, corpus)
    days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
    # volume
    count = None
    volume = None
    if "count" in p.values:
        v = p.values["count"]
        if len(v) == 1 and isinstance(v[0], n.Num) and v[0].is_int and v[0].value > 0:
            if bounds.count(sink, v[0].value, v[0].span, "`count`"):
                count = int(v[0].value)
            else:
                ok = False
        else:
            sink.add("E0408", "`count` must be a positive integer", p.nodes["count"].span,
                     help="e.g. `count 1800`")
            ok = False
    if "volume" in p.values:
        v = p.values["volume"]
        if isinstance(v[0], n.Num) and v[0].is_int and v[0].value > 0 and \
                [getattr(x, "value", None) for x in v[1:]] in ([], ["per", "day"]):
            if bounds.count(sink, v[0].value * days, v[0].span, f"`volume` over {days} days"):
                volume = int(v[0].value)
                if count is None:
                    count = volume * days
            else:
                ok = False
        else:
            sink.add("E0408", "`volume` must be a positive integer per day", p.nodes["volume"].span,
                     help="e.g. `volume 30 per day`")
            ok = False
    if "count" in p.values and "volume" in p.values:
        sink.add("E0207", "give either `count` or `volume`, not both", p.nodes["volume"].span)
    if count is None and ok and not p.invalid & {"count", "volume"}:
        sink.add("E0208", f"population `{d.name.value}` has no `count` or `volume`", d.name.span,
                 help="add `count 1000` or `volume 30 per day`")
        ok = False
    hours = ("00:00", "23:59", None)
    if "hours" in p.values:
        hours = ck.hours(p.nodes["hours"]) or hours
    weekdays = {}
    if "weekdays" in p.values:
        weekdays = _weights(ck, p.values["weekdays"], "weekdays", relative=True)
        for k in weekdays:
            if k not in WEEKDAYS:
                node = _find(p.values["weekdays"], k)
                sink.add("E0207", f"`{k}` is not a weekday", node.span if node else p.nodes["weekdays"].span,
                         help=did_you_mean(k, WEEKDAYS) or "weekdays: " + ", ".join(WEEKDAYS))
    # categorical fields
    cats: list[P.Categorical] = []
    for prop in other:
        fname = prop.name.value
        head = prop.values[0].value if prop.values and isinstance(prop.values[0], n.Name) else None
        if head == "weights" and prop.body is not None and len(prop.values) == 1:
            w = _weights(ck, prop.body, fname, relative=False, owner=prop)
            if w:
                cats.append(P.Categorical(field=fname, categories=[P.Category(value=k, weight=v) for k, v in w.items()]))
        elif head == "uniform" and len(prop.values) == 2 and isinstance(prop.values[1], n.ListV):
            names = []
            for it in prop.values[1].items:
                if isinstance(it, (n.Name, n.Str)):
                    names.append(it.value)
                else:
                    sink.add("E0207", "uniform categories are names", it.span)
            if len(set(names)) != len(names):
                sink.add("E0205", f"a category of `{fname}` is listed twice", prop.values[1].span)
            if names:
                wt = 100.0 / len(names)
                cats.append(P.Categorical(field=fname, categories=[P.Category(value=x, weight=wt) for x in names]))
        else:
            sink.add("E0206", f"unknown property `{fname}` in population `{d.name.value}`", prop.name.span,
                     label="not a population property",
                     help=did_you_mean(fname, schema.props) or
                     f"a categorical field is written `{fname} weights {{ a 60% b 40% }}` or "
                     f"`{fname} uniform [a, b]`")
    cat_names = {c.field: c for c in cats}
    # sampled fields
    fields: list[P.FieldSpec] = []
    declared: set[str] = set(cat_names)
    for f in d.fields:
        if f.name.value in declared:
            sink.add("E0205", f"field `{f.name.value}` is declared twice", f.name.span)
            continue
        spec = _field(ck, f, declared)
        if spec:
            fields.append(spec)
            declared.add(spec.name)
    whens = []
    for w in d.whens:
        _check_cond(ck, w.cond, cat_names, declared)
        adjust: dict[str, dict[str, float]] = {}
        for pr in w.props:
            head = pr.values[0].value if len(pr.values) == 1 and isinstance(pr.values[0], n.Name) else None
            if pr.name.value in cat_names and head == "weights" and pr.body is not None:
                adjust[pr.name.value] = _adjustment(ck, pr, cat_names[pr.name.value], w.cond)
            else:
                sink.add("E0206", f"unknown property `{pr.name.value}` in `when`", pr.name.span,
                         help="a `when` block holds `field` lines, or `FIELD weights { category 250% }` "
                              "to raise or lower a categorical field's categories for the matching calls")
        wf = []
        for f in w.fields:
            spec = _field(ck, f, declared)
            if spec:
                wf.append(spec)
        whens.append(P.WhenSpec(cond=w.cond, fields=wf, adjust={k: v for k, v in adjust.items() if v}))
    _undone_fixes(ck, d.whens, whens)
    shifts = _shifts(ck, p) if "shifts" in p.values else {}
    agents = _agents(ck, cat_names.get("agent"), d, shifts)
    if agents and shifts:
        _shift_coverage(ck, agents, shifts, hours, p.nodes.get("shifts") or d.name)
    if not ok or count is None:
        return None
    return P.Population(name=d.name.value, count=count, window_start=start, window_end=end, timezone=tz,
                        hours=(hours[0], hours[1]), peak=hours[2], weekdays=weekdays, categoricals=cats,
                        fields=fields, whens=whens, sampling=p.values.get("sampling", "exact"),
                        domain=p.values.get("domain"), locale=p.values.get("locale", corpus.locale),
                        volume_per_day=volume, agents=agents, shifts=shifts)


def _undone_fixes(ck, decls: list[n.WhenDecl], whens: list[P.WhenSpec]) -> None:
    """E0412: a `when` fixes a field to one value (`const`, or `int`/`uniform`
    with lo == hi) and a later block draws it again for calls both may match:
    the later block wins, so the fix silently fails for those calls (reader
    s21: `when channel == text { field Hold_time: const(value 0) }` before
    `when scenario == transfer_to_specialist { field Hold_time: ... }` gave two
    chats a hold). A later block that only narrows the earlier one (`when
    channel == text and scenario == x`) overrides on purpose and is not
    reported, nor are blocks whose conditions cannot hold together."""
    for i, (di, wi) in enumerate(zip(decls, whens)):
        fixed = {f.name: v for f in wi.fields for v in [_fixed_value(f)] if v is not _FREE}
        if not fixed:
            continue
        for j in range(i + 1, len(whens)):
            dj, wj = decls[j], whens[j]
            xi, xj = _atoms(di.cond), _atoms(dj.cond)
            # a strictly narrower later block overrides on purpose; one of the same condition undoes the fix
            if _disjoint(di.cond, dj.cond) or _narrows(xj, xi) and not _narrows(xi, xj):
                continue
            both = _both(di.cond, dj.cond)
            nodes = {x.name.value: x for x in dj.fields}
            for f in wj.fields:
                node = nodes.get(f.name)
                if node is None or f.name not in fixed or _fixed_value(f) == fixed[f.name]:
                    continue
                if any(_narrows(both, _atoms(dk.cond)) and any(g.name == f.name and _fixed_value(g) == fixed[f.name]
                                                               for g in wk.fields)
                       for dk, wk in zip(decls[j + 1:], whens[j + 1:])):
                    continue  # a still later block fixes it again for every call both match
                where = di.cond.span
                ck.sink.add("E0412", f"`{f.name}` is fixed to {_said(fixed[f.name])} by the `when` at line "
                            f"{where.start.line}, and this later block draws it again for the calls both "
                            f"match", node.name.span, label="the later block wins",
                            help="move the block that fixes the field after this one, or exclude its calls "
                                 "from this condition",
                            notes=[f"fixed at {where.file}:{where.start.line}:{where.start.column}"])


_FREE = object()


def _said(v: Any) -> str:
    return f"{v:g}" if isinstance(v, (int, float)) and not isinstance(v, bool) else repr(v)


def _fixed_value(f: P.FieldSpec) -> Any:
    """The one value a field's sampler can give, or `_FREE`."""
    if f.dist == "const":
        return f.params.get("value")
    if f.dist in ("int", "uniform") and f.params.get("lo") == f.params.get("hi") and f.clamp is None:
        return f.params.get("lo")
    return _FREE


def _atoms(c) -> list | None:
    """A condition as a conjunction of (field, op, values) tests; None when it is
    not one (an `or`, a `not`): such a condition is never proved disjoint or narrower."""
    if isinstance(c, n.AndC):
        parts = [_atoms(x) for x in c.items]
        return None if any(p is None for p in parts) else [a for p in parts for a in p]
    if isinstance(c, n.Member):
        field = c.path.dotted
        return [(field, "in", frozenset(scalar(x, field) for x in c.values.items))]
    if isinstance(c, n.Compare) and c.op in ("==", "!="):
        field = c.path.dotted
        return [(field, "in" if c.op == "==" else "not", frozenset([scalar(c.value, field)]))]
    if isinstance(c, n.Compare):  # an ordering: only ever the same test
        return [(c.path.dotted, c.op, frozenset([scalar(c.value, c.path.dotted)]))]
    if isinstance(c, n.Truthy):
        return [(c.path.dotted, "truthy", frozenset())]
    return None


def _disjoint(a, b) -> bool:
    """Whether no call can match both conditions (an `==`/`in` test against one whose values it excludes,
    or an ordering against a test it lets no value of through: `_apart`)."""
    xa, xb = _atoms(a), _atoms(b)
    if xa is None or xb is None:
        return False
    for fa, oa, va in xa:
        for fb, ob, vb in xb:
            if fa != fb:
                continue
            if (oa, ob) == ("in", "in") and not va & vb or (oa, ob) == ("in", "not") and va <= vb \
                    or (oa, ob) == ("not", "in") and vb <= va:
                return True
            if _apart(oa, va, ob, vb):
                return True
    return False


_ORDER = ("<", "<=", ">", ">=")


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _range(op: str, v: float) -> tuple[float, bool, float, bool]:
    """The values an ordering test lets through: (low, low included, high, high included)."""
    inf = float("inf")
    return {"<": (-inf, False, v, False), "<=": (-inf, False, v, True),
            ">": (v, False, inf, False), ">=": (v, True, inf, False)}[op]


def _inside(x: float, r: tuple[float, bool, float, bool]) -> bool:
    lo, li, hi, hi_in = r
    return (x > lo or li and x == lo) and (x < hi or hi_in and x == hi)


def _apart(oa: str, va: frozenset, ob: str, vb: frozenset) -> bool:
    """Whether two tests of one field let no value through together, where
    one is an ordering (`hour < 18` and `hour >= 18`, `x == 3` and `x > 5`):
    E0412 then reports nothing (reader s21). Values are taken as real numbers,
    so `x < 5` and `x > 4` are not proved apart."""
    if oa not in _ORDER and ob not in _ORDER:
        return False
    if oa not in _ORDER:
        oa, va, ob, vb = ob, vb, oa, va
    a = _number(next(iter(va)))
    if a is None:
        return False
    ra = _range(oa, a)
    if ob in _ORDER:
        b = _number(next(iter(vb)))
        if b is None:
            return False
        rb = _range(ob, b)
        lo, li = max((ra[0], ra[1]), (rb[0], rb[1]), key=lambda x: (x[0], not x[1]))
        hi, hi_in = min((ra[2], ra[3]), (rb[2], rb[3]), key=lambda x: (x[0], x[1]))
        return lo > hi or lo == hi and not (li and hi_in)
    if ob == "in":
        nums = [_number(x) for x in vb]
        return all(x is not None for x in nums) and not any(_inside(x, ra) for x in nums)
    return False


def _both(a, b) -> list | None:
    """The tests of two conditions together (`_atoms`), None when either is not a conjunction."""
    xa, xb = _atoms(a), _atoms(b)
    return None if xa is None or xb is None else xa + xb


def _narrows(xl: list | None, xe: list | None) -> bool:
    """Whether every call the tests `xl` match also matches `xe` (`_atoms`: each test of `xe` is in `xl`,
    or narrowed there: `x in [a, b]` by `x == a`)."""
    if xl is None or xe is None:
        return False
    return all(any(fl == fe and (ol == oe and vl == ve or (ol, oe) == ("in", "in") and vl <= ve)
                   for fl, ol, vl in xl) for fe, oe, ve in xe)


def _adjustment(ck, pr: n.Property, cat: P.Categorical, cond) -> dict[str, float]:
    """`scenario weights { emergency_service 250% }` inside a `when`: multipliers."""
    others = sorted(fields_of(cond) - {"hour", "weekday"})
    if others:
        ck.sink.add("E0410", f"a weight adjustment can only depend on `hour` and `weekday`, not `{others[0]}`",
                    pr.span, label="categories are assigned before other fields exist",
                    help="move the adjustment into a `when` on hour or weekday, e.g. `when hour >= 18 { ... }`")
        return {}
    w = _weights(ck, pr.body, pr.name.value, relative=True)
    names = {c.value for c in cat.categories}
    for k in list(w):
        if k not in names:
            node = _find(pr.body, k)
            ck.sink.add("E0407", f"`{k}` is not a category of `{pr.name.value}`", node.span if node else pr.span,
                        help=did_you_mean(k, names) or "categories: " + ", ".join(sorted(names)))
            del w[k]
    return {k: v / 100.0 for k, v in w.items()}


def _shifts(ck, p) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for pr in p.values["shifts"]:
        v = pr.values
        if len(v) == 1 and isinstance(v[0], n.RangeV) and isinstance(v[0].lo, n.TimeV) \
                and isinstance(v[0].hi, n.TimeV) and v[0].lo.value < v[0].hi.value:
            out[pr.name.value] = (v[0].lo.value[:5], v[0].hi.value[:5])
        else:
            ck.sink.add("E0405", f"invalid shift `{pr.name.value}`", pr.span,
                        help="a shift is a name and local times, e.g. `early 06:00..14:00`")
    return out


def _agents(ck, cat: P.Categorical | None, d, shifts) -> dict[str, P.AgentInfo]:
    """The `agent` field's values are declared reps or agents: their display
    name, team, shift, gender and voice go into each call's metadata."""
    if cat is None:
        return {}
    out = {}
    where = [p for p in d.props if p.name.value == "agent"]
    for c in cat.categories:
        rep = ck.reps.get(c.value)
        if rep is None:
            node = _find(where, c.value)
            ck.unknown("E0203", "agent", c.value, node.span if node else d.name.span, ck.reps)
            continue
        if shifts and rep.shift and rep.shift not in shifts:
            node = _find(where, c.value)
            ck.sink.add("E0209", f"agent `{rep.name}` works shift `{rep.shift}`, which this population "
                        "does not declare", node.span if node else d.name.span,
                        help="declared shifts: " + ", ".join(sorted(shifts)))
        out[rep.name] = P.AgentInfo(name=rep.name, display=rep.display, team=rep.team, shift=rep.shift,
                                    gender=rep.gender, voice=rep.voice, languages=rep.languages)
    return out


def _shift_coverage(ck, agents, shifts, hours, node) -> None:
    """Every hour of `hours` needs someone on shift, or calls there would have no agent."""
    def minutes(t: str) -> int:
        return int(t[:2]) * 60 + int(t[3:5])
    spans = [(minutes(shifts[a.shift][0]), minutes(shifts[a.shift][1])) for a in agents.values() if a.shift in shifts]
    if any(not a.shift for a in agents.values()):
        return  # an agent without a shift works any time
    m, end = minutes(hours[0]), minutes(hours[1])
    while m < end:
        if not any(lo <= m < hi for lo, hi in spans):
            ck.sink.add("E0411", f"no agent is on shift at {m // 60:02d}:{m % 60:02d}, inside the population's hours",
                        node.span, label="calls at that time would have no agent",
                        help="extend a shift, add an agent on a covering shift, or narrow `hours`")
            return
        m += 1


def _window(ck, p, corpus) -> tuple[str, str]:
    """The window's first and last day; the default window (30 days from
    `starts`) after a diagnostic. Lengths and dates are bounded (E1003, E1004)
    before any date arithmetic, which would overflow on `3000000 days`."""
    starts = dt.date.fromisoformat(corpus.starts)
    default = (starts.isoformat(), (starts + dt.timedelta(days=29)).isoformat())
    if "window" not in p.values:
        return default
    v = p.values["window"]
    prop = p.nodes["window"]
    sink = ck.sink
    try:
        if len(v) == 1 and isinstance(v[0], n.RangeV) and isinstance(v[0].lo, n.DateV) and isinstance(v[0].hi, n.DateV):
            a, b = dt.date.fromisoformat(v[0].lo.value), dt.date.fromisoformat(v[0].hi.value)
            if not (bounds.date(sink, a, v[0].lo.span, "the window's first day is")
                    and bounds.date(sink, b, v[0].hi.span, "the window's last day is")):
                return default
            if b >= a and not bounds.window(sink, (b - a).days + 1, v[0].span):
                return default
        elif len(v) == 3 and isinstance(v[0], n.Quantity) and v[0].unit == "days" and isinstance(v[1], n.Name) \
                and v[1].value in ("ending", "starting") and isinstance(v[2], n.DateV):
            if v[0].value <= 0 or v[0].value != int(v[0].value):
                raise KindError("the window must be a whole, positive number of days", v[0])
            if not bounds.window(sink, v[0].value, v[0].span):
                return default
            ndays = int(v[0].value)
            anchor = dt.date.fromisoformat(v[2].value)
            if not bounds.date(sink, anchor, v[2].span, f"the window's {'last' if v[1].value == 'ending' else 'first'} day is"):
                return default
            if v[1].value == "ending":
                a, b = anchor - dt.timedelta(days=ndays - 1), anchor
            else:
                a, b = anchor, anchor + dt.timedelta(days=ndays - 1)
            if not bounds.date(sink, a if v[1].value == "ending" else b, v[0].span,
                               f"the window's {'first' if v[1].value == 'ending' else 'last'} day is"):
                return default
        elif len(v) == 1 and isinstance(v[0], n.Quantity) and v[0].unit == "days":
            if v[0].value <= 0:
                raise KindError("the window must be a positive number of days", v[0])
            if not bounds.window(sink, v[0].value, v[0].span):
                return default
            ndays = int(v[0].value)
            a, b = starts, starts + dt.timedelta(days=ndays - 1)
            if not bounds.date(sink, b, v[0].span, "the window's last day is"):
                return default
        else:
            raise KindError("expected `60 days ending 2026-11-20` or `2026-09-01..2026-09-03`", prop)
    except ValueError as e:
        ck.sink.add("E0405", f"invalid `window`: {e}", prop.span)
        return default
    except KindError as e:
        ck.sink.add("E0405", f"invalid `window`: {e.message}", (e.node or prop).span,
                    help="e.g. `window 60 days ending 2026-11-20`")
        return default
    if b < a:
        ck.sink.add("E0405", f"the window ends ({b}) before it starts ({a})", prop.span,
                    help="swap the dates")
        return default
    return a.isoformat(), b.isoformat()


def _find(props: list[n.Property], name: str):
    """The node that spells `name`: a property's name, one of its values (in a
    list too), or an entry of its body."""
    for pr in props:
        if pr.name.value == name:
            return pr.name
        for v in pr.values:
            for it in (v.items if isinstance(v, n.ListV) else [v]):
                if isinstance(it, (n.Name, n.Str)) and it.value == name:
                    return it
        if pr.body and (hit := _find(pr.body, name)):
            return hit
    return None


def _weights(ck, body: list[n.Property], fname: str, *, relative: bool, owner=None) -> dict[str, float]:
    """Flatten `{ a 20% b 30% \n c 50% }` into name -> percent, checking the sum."""
    sink = ck.sink
    flat: list[n.Node] = []
    for pr in body:
        flat.append(pr.name)
        flat.extend(pr.values)
        if pr.body is not None:
            sink.add("E0207", "weights entries are `name percent` pairs", pr.span)
    out: dict[str, float] = {}
    i = 0
    ok = True
    while i < len(flat):
        name = flat[i]
        val = flat[i + 1] if i + 1 < len(flat) else None
        if not isinstance(name, (n.Name, n.Str)) or not isinstance(val, n.Percent):
            sink.add("E0207", f"weights of `{fname}` are `name percent` pairs", (val or name).span,
                     label="expected a percentage after the name" if isinstance(name, (n.Name, n.Str)) else
                     "expected a name", help="e.g. `booked_service 28%`")
            return {}
        if name.value in out:
            sink.add("E0205", f"`{name.value}` appears twice in the weights of `{fname}`", name.span)
            ok = False
        if val.value < 0 or (not relative and val.value > 100):
            ck.ratio(val.value, val.span)
            ok = False
        out[name.value] = val.value
        i += 2
    if not relative and ok and out:
        total = sum(out.values())
        if abs(total - 100.0) > 1e-6:
            span = owner.span if owner is not None else body[0].span
            diff = 100.0 - total
            sink.add("E0401", f"weights of `{fname}` sum to {total:g}%, not 100%", span,
                     label=f"{'missing' if diff > 0 else 'over by'} {abs(diff):g}%",
                     help=f"{'raise' if diff > 0 else 'lower'} some weights by {abs(diff):g} percentage points")
            return {}
    return out if ok else {}


def _num(ck, v: n.Node, want_unit: list) -> float | None:
    if isinstance(v, n.Num):
        want_unit.append(None)
        return v.value
    if isinstance(v, n.Quantity):
        try:
            s = seconds(v)
        except KindError:
            ck.sink.add("E0404", f"unit `{v.unit}` cannot be used in a sampler", v.span)
            return None
        want_unit.append("s")
        return s
    if isinstance(v, n.Percent):
        want_unit.append("%")
        return v.value
    ck.sink.add("E0404", "sampler parameters are numbers or durations", v.span)
    return None


def _field(ck, f: n.FieldDecl, declared: set[str]) -> P.FieldSpec | None:
    sink = ck.sink
    if f.derived_from is not None:
        if f.derived_from.value not in declared:
            ck.unknown("E0209", "field", f.derived_from, f.derived_from.span, declared)
            return None
        return P.FieldSpec(name=f.name.value, derived_from=f.derived_from.value)
    s = f.sampler
    dist = s.dist.value
    if dist not in DISTS:
        sink.add("E0404", f"unknown sampler `{dist}`", s.dist.span,
                 help=did_you_mean(dist, DISTS) or "samplers: " + ", ".join(DISTS))
        return None
    names = DISTS[dist]
    params: dict[str, Any] = {}
    units: list = []
    if len(s.args) != len(names):
        sink.add("E0404", f"`{dist}` takes {len(names)} parameter{'s' if len(names) > 1 else ''} "
                 f"({', '.join(names)}), got {len(s.args)}", s.span,
                 help=f"e.g. `{dist}({', '.join(n_ + ' 1' for n_ in names)})`")
        return None
    for i, a in enumerate(s.args):
        key = a.name.value if a.name is not None else names[i]
        if key not in names:
            sink.add("E0404", f"`{dist}` has no parameter `{key}`", a.name.span,
                     help=did_you_mean(key, names) or "parameters: " + ", ".join(names))
            return None
        if key in params:
            sink.add("E0404", f"parameter `{key}` given twice", a.span)
            return None
        if dist == "const" and isinstance(a.value, (n.Name, n.Str)):
            params[key] = a.value.value
            continue
        if dist == "const" and isinstance(a.value, n.Num) and a.value.is_int:
            params[key] = int(a.value.value)
            continue
        v = _num(ck, a.value, units)
        if v is None:
            return None
        params[key] = v
    unit = "s" if "s" in units else None
    bad = None
    if dist == "normal" and params["sd"] <= 0:
        bad = ("sd", "must be positive")
    if dist == "lognormal" and (params["sigma"] <= 0 or params["median"] <= 0):
        bad = ("sigma" if params["sigma"] <= 0 else "median", "must be positive")
    if dist == "poisson" and params["lambda"] <= 0:
        bad = ("lambda", "must be positive")
    if dist == "bool":
        pv = params["p"]
        if units and units[0] == "%":
            pv = pv / 100
        if not 0 <= pv <= 1:
            bad = ("p", "must be within 0..100%")
        params["p"] = pv
    if dist in ("uniform", "int") and params["lo"] > params["hi"]:
        bad = ("lo", "must not exceed hi")
    if dist == "int" and any(float(params[k]) != int(params[k]) for k in ("lo", "hi")):
        bad = ("lo", "must be integers")
    if bad:
        sink.add("E0404", f"`{dist}` parameter `{bad[0]}` {bad[1]}", s.span, help="fix the parameter")
        return None
    clamp = None
    if f.clamp is not None:
        cu: list = []
        lo = _num(ck, f.clamp.lo, cu)
        hi = _num(ck, f.clamp.hi, cu)
        if lo is None or hi is None:
            return None
        if lo > hi:
            sink.add("E0403", f"clamp {lo:g}..{hi:g} is reversed", f.clamp.span, help="write the smaller bound first")
            return None
        support = _support(dist, params)
        if support and (hi < support[0] or lo > support[1]):
            sink.add("E0403", f"clamp {_fmt(lo, unit)}..{_fmt(hi, unit)} excludes the whole "
                     f"`{dist}` distribution ({_fmt(support[0], unit)}..{_fmt(support[1], unit)})",
                     f.clamp.span, label="every sample would be clamped",
                     help="widen the clamp or change the distribution")
            return None
        clamp = (lo, hi)
    return P.FieldSpec(name=f.name.value, dist=dist, params=params, unit=unit, clamp=clamp)


def _fmt(v: float, unit) -> str:
    return f"{v:g}{'s' if unit == 's' else ''}"


def _support(dist: str, p: dict) -> tuple[float, float] | None:
    if dist in ("uniform", "int"):
        return (p["lo"], p["hi"])
    if dist == "lognormal":
        return (0.0, math.inf)
    if dist == "poisson":
        return (0.0, math.inf)
    if dist == "bool":
        return (0.0, 1.0)
    return None


def _check_cond(ck, c: n.Cond, cats: dict, declared: set[str]) -> None:
    if isinstance(c, (n.AndC, n.OrC)):
        for it in c.items:
            _check_cond(ck, it, cats, declared)
        return
    if isinstance(c, n.NotC):
        _check_cond(ck, c.item, cats, declared)
        return
    path = c.path.dotted
    if path in ("hour", "weekday"):
        return
    if path not in declared:
        ck.sink.add("E0407", f"`when` tests unknown field `{path}`", c.path.span,
                    help=did_you_mean(path, declared) or "fields: " + ", ".join(sorted(declared)))
        return
    if path in cats:
        values = {x.value for x in cats[path].categories}
        tested = []
        if isinstance(c, n.Compare):
            tested = [c.value]
        elif isinstance(c, n.Member):
            tested = list(c.values.items)
        for v in tested:
            if getattr(v, "value", None) not in values:
                ck.sink.add("E0407", f"`{getattr(v, 'value', '?')}` is not a category of `{path}`", v.span,
                            label="never matches",
                            help=did_you_mean(str(getattr(v, "value", "")), values) or
                            "categories: " + ", ".join(sorted(values)))
