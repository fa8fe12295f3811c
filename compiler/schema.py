"""Property schemas: which leaf properties each block kind accepts, how many
values each takes, and how those values are typed.

The grammar keeps properties generic (`name value...`); this table turns them
into typed values with "did you mean" and "expected X" diagnostics, and lets
one line hold several properties (`{ role "CFO" persona reluctant_adopter }`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable

from corpusc.compiler import nodes as n


class KindError(Exception):
    def __init__(self, message: str, node: n.Node | None = None, help: str = ""):
        super().__init__(message)
        self.message = message
        self.node = node
        self.help = help


# ---- value kinds ----------------------------------------------------------------

def _one(vals, what):
    if len(vals) != 1:
        raise KindError(f"expected {what}", vals[1] if len(vals) > 1 else None)
    return vals[0]


def _single(vals, cls, expected: str, what: str):
    """The one value of a property, of node type `cls`."""
    v = _one(vals, what)
    if not isinstance(v, cls):
        raise KindError(expected, v, help=f'write it as "{_text(v)}"' if cls is n.Str else "")
    return v


def k_str(vals):
    return _single(vals, n.Str, "expected a string in double quotes", "one string").value


def k_strs(vals):
    """One or more strings on the line (e.g. product "Lumen" "a tagline")."""
    for v in vals:
        if not isinstance(v, n.Str):
            raise KindError("expected strings in double quotes", v)
    return [v.value for v in vals]


def k_int(vals):
    v = _one(vals, "one integer")
    if not isinstance(v, n.Num) or not v.is_int:
        raise KindError("expected an integer", v)
    return int(v.value)


def k_posint(vals):
    i = k_int(vals)
    if i <= 0:
        raise KindError("expected a positive integer", vals[0])
    return i


def k_percent(vals):
    return _single(vals, n.Percent, "expected a percentage like 30%", "one percentage like 30%").value


def k_date(vals):
    v = _single(vals, n.DateV, "expected a date like 2026-01-05", "one date")
    import datetime as dt
    try:
        dt.date.fromisoformat(v.value)
    except ValueError:
        raise KindError(f"`{v.value}` is not a calendar date", v)
    return v.value


def k_time(vals):
    return _check_time(_single(vals, n.TimeV, "expected a time like 14:30", "one time"))


def _check_time(v: n.TimeV) -> str:
    hh, mm = (int(x) for x in v.value.split(":")[:2])
    if hh > 23 or mm > 59:
        raise KindError(f"`{v.value}` is not a time of day", v)
    return v.value[:5]


def k_name(vals):
    return _single(vals, n.Name, "expected a name", "one name").value


def k_flag(vals):
    if vals:
        raise KindError("this property takes no value", vals[0])
    return True


def k_onoff(vals):
    v = _one(vals, "on or off")
    if isinstance(v, n.Name) and v.value in ("on", "off", "true", "false"):
        return v.value in ("on", "true")
    raise KindError("expected `on` or `off`", v)


def _items(vals) -> list:
    """The values of a list `[a, b]` or of a comma list `a, b`."""
    return vals[0].items if len(vals) == 1 and isinstance(vals[0], n.ListV) else vals


def _values_of(vals, kinds: tuple, what: str) -> list:
    out = []
    for v in _items(vals):
        if not isinstance(v, kinds):
            raise KindError(f"expected {what}", v)
        out.append(v.value)
    return out


def k_names(vals):
    """A list `[a, b]` or a comma list `a, b` of names."""
    out = _values_of(vals, (n.Name,), "a name")
    if not out:
        raise KindError("expected at least one name", vals[0] if vals else None)
    return out


def k_strlist(vals):
    return _values_of(vals, (n.Str,), "a string in double quotes")


def k_any_list(vals):
    """A list of names or strings (competitors may be spelled either way)."""
    return _values_of(vals, (n.Str, n.Name), "a name or a string")


TIME_UNITS = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0, "days": 86400.0}


def seconds(v: n.Node) -> float:
    if isinstance(v, n.Quantity) and v.unit in TIME_UNITS:
        return v.value * TIME_UNITS[v.unit]
    raise KindError("expected a duration like 30s or 5 min", v)


def k_duration(vals):
    return seconds(_one(vals, "one duration"))


def k_int_range(vals):
    v = _one(vals, "a range like 50..5000")
    if not isinstance(v, n.RangeV) or not all(isinstance(x, n.Num) for x in (v.lo, v.hi)):
        raise KindError("expected a range of numbers like 50..5000", v)
    return [v.lo.value, v.hi.value]


def enum(*choices: str) -> Callable:
    def k(vals):
        v = _one(vals, "one of " + ", ".join(choices))
        if isinstance(v, n.Name) and v.value in choices:
            return v.value
        raise KindError(f"expected one of: {', '.join(choices)}", v,
                        help=_suggest(_text(v), choices))
    k.choices = choices  # type: ignore[attr-defined]
    return k


def enum_list(*choices: str) -> Callable:
    def k(vals):
        out = k_names(vals)
        for name, node in zip(out, _items(vals)):
            if name not in choices:
                raise KindError(f"`{name}` is not one of: {', '.join(choices)}", node,
                                help=_suggest(name, choices))
        return out
    return k


def k_raw(vals):
    return vals


def _text(v: n.Node | None) -> str:
    return str(getattr(v, "value", "")) if v is not None else ""


def _suggest(word: str, choices) -> str:
    m = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{m[0]}`?" if m else ""


def did_you_mean(word: str, choices) -> str:
    return _suggest(word, sorted(choices))


# ---- the schema table --------------------------------------------------------------

@dataclass(frozen=True)
class Prop:
    kind: Callable[[list], Any]
    min: int = 1
    max: int | None = 1
    body: str | None = None  # name of a nested block schema, if the property takes `{ }`
    repeat: bool = False  # may appear more than once
    words: tuple[str, ...] = ()  # names that are values of this property, never a new property
    doc: str = ""


@dataclass(frozen=True)
class Block:
    props: dict[str, Prop] = field(default_factory=dict)
    open: bool = False  # unknown names are allowed (weights tables, categorical fields)
    required: tuple[str, ...] = ()


LENGTHS = ("short", "medium", "long", "extended")
ENGAGEMENT = ("warming", "cooling", "recovering", "steady")
LEVELS = ("low", "medium", "high")

SCHEMAS: dict[str, Block] = {
    "corpus": Block({
        "seed": Prop(k_int, doc="root seed of every random stream"),
        "locale": Prop(k_name, doc="default locale, e.g. en-US, de-DE, he-IL"),
        "starts": Prop(k_date, doc="date of day 0 of every thread"),
        "timezone": Prop(k_str, doc="IANA time zone of all dates and times"),
        "product": Prop(k_strs, max=2, doc="product name and a one-line description"),
        "divergence": Prop(k_percent, doc="share of annotated moments whose cues contradict the words"),
        "engine": Prop(k_name, doc="the renderer that writes transcripts (a `corpusc.renderers` name, checked by the build layer)"),
        "hours": Prop(k_raw, doc="business hours for sales calls, e.g. 09:00..17:00"),
        "description": Prop(k_str),
    }),
    "persona": Block({
        "decision_style": Prop(enum("analytical", "intuitive", "consensus", "directive", "cautious")),
        "communication_style": Prop(k_str),
        "concerns": Prop(k_names, max=None, doc="objection types this persona tends to raise"),
        "objection_style": Prop(k_str),
        "conversion_triggers": Prop(k_strlist, max=None),
        "weaknesses": Prop(k_strlist, max=None),
        "risk_attitude": Prop(enum("averse", "neutral", "seeking")),
        "difficulty": Prop(enum("easy", "medium", "hard")),
        "phrases": Prop(k_strlist, max=None, doc="things this persona says"),
        "wants": Prop(k_strlist, max=None, doc="what answers to discovery questions revolve around"),
        "description": Prop(k_str),
        "speech": Prop(k_flag, min=0, max=0, body="speech"),
    }),
    "speech": Block({
        "rate": Prop(k_raw, doc="words per minute, e.g. 150 wpm"),
        "pitch": Prop(enum(*LEVELS)),
        "energy": Prop(enum(*LEVELS)),
        "hesitation": Prop(k_percent, doc="how often a turn starts with a filler or a pause"),
    }),
    "objection": Block({
        "phrasings": Prop(k_strlist, max=None),
        "resolutions": Prop(k_strlist, max=None, doc="resolution approaches that work"),
        "description": Prop(k_str),
        "severity": Prop(enum(*LEVELS)),
    }),
    "industry": Block({
        "terms": Prop(k_strlist, max=None),
        "pains": Prop(k_strlist, max=None),
        "description": Prop(k_str),
    }),
    "size": Block({
        "employees": Prop(k_int_range),
        "description": Prop(k_str),
    }),
    "stage": Block({
        "order": Prop(k_int),
        "description": Prop(k_str),
        "buying_signals": Prop(k_onoff, doc="whether buying intent is expected in this stage"),
    }),
    "scenario": Block({
        "domain": Prop(k_name), "description": Prop(k_str),
        "status": Prop(enum("success", "partial", "filtered", "failed"), doc="the objective outcome"),
        "intent": Prop(k_str, doc="the intent the agent declares (VCP purpose_contract)"),
        "success": Prop(k_raw, min=2, max=3, doc="`success METRIC [OP] VALUE`: OP is eq (default), ne, gt, gte, lt or lte"),
        "evidence": Prop(k_str, doc="where the success criterion is evidenced, e.g. calendar_api.create_event"),
        "capabilities": Prop(k_strlist, max=None, doc="tools the agent invokes, e.g. telephony.transfer"),
        "headline": Prop(k_str, doc="the call report's headline (VCP full mode)"),
    }),
    "rep": Block({
        "title": Prop(k_str),
        "voice": Prop(k_name),
        "gender": Prop(enum("female", "male", "neutral")),
        "team": Prop(k_name),
        "shift": Prop(k_name),
        "languages": Prop(k_names, max=None),
        "style": Prop(k_str),
    }),
    "account": Block({
        "size": Prop(k_name), "employees": Prop(k_posint), "industry": Prop(k_name),
        "region": Prop(k_str), "outcome": Prop(enum("won", "lost", "stalled")),
        "trajectory": Prop(k_names, max=None), "competitors": Prop(k_any_list, max=None),
        "deal_value": Prop(k_raw), "description": Prop(k_str),
        "divergence": Prop(k_percent),
    }, required=("outcome",)),
    "stakeholder": Block({
        "role": Prop(k_str), "persona": Prop(k_name), "concerns": Prop(k_names, max=None),
        "decision_maker": Prop(k_flag, min=0, max=0), "joins": Prop(k_raw, min=2, max=2),
        "gender": Prop(enum("female", "male", "neutral")), "influence": Prop(enum(*LEVELS)),
    }, required=("persona",)),
    "call": Block({
        "stage": Prop(k_name),
        "length": Prop(k_raw, min=1, max=2, words=("turns",), doc="short | medium | long | extended | N turns | a duration"),
        "turns": Prop(k_posint),
        "with": Prop(k_names, max=None),
        "paralinguistics": Prop(k_onoff),
        "engagement": Prop(enum(*ENGAGEMENT)),
        "buying_signal": Prop(k_raw, min=2, max=3, repeat=True),
        "mentions": Prop(k_raw, min=2, max=2, repeat=True),
        "moments": Prop(k_int),
        "at": Prop(k_time),
        "medium": Prop(enum("phone", "video")),
        "topic": Prop(k_str),
        "locale": Prop(k_name),
    }, required=("stage", "with")),
    "population": Block({
        "count": Prop(k_raw), "volume": Prop(k_raw, min=1, max=3),
        "window": Prop(k_raw, min=1, max=3), "timezone": Prop(k_str),
        "hours": Prop(k_raw, min=1, max=3), "weekdays": Prop(k_flag, min=0, max=0, body="weights"),
        "sampling": Prop(enum("exact", "random")), "domain": Prop(k_name),
        "locale": Prop(k_name), "description": Prop(k_str),
        "shifts": Prop(k_flag, min=0, max=0, body="weights",
                       doc="agent shifts in local time: `shifts { early 06:00..14:00 late 12:00..20:00 }`"),
    }, open=True),
    "weights": Block(open=True),
    "when": Block({}),
}


def split_line(prop: n.Property, block: Block) -> list[n.Property]:
    """Split one source line into properties: `role "CFO" persona x` -> two.

    A name value starts a new property when it is a property of this block and
    the current property already has its minimum number of values.
    """
    if block.open or prop.name.value not in block.props:
        return [prop]
    out: list[n.Property] = []
    cur_name, cur_vals = prop.name, []
    for v in prop.values:
        spec = block.props[cur_name.value]
        if (isinstance(v, n.Name) and v.value in block.props and len(cur_vals) >= spec.min
                and v.value != cur_name.value and v.value not in spec.words):
            out.append(_mk(cur_name, cur_vals, None))
            cur_name, cur_vals = v, []
        else:
            cur_vals.append(v)
    out.append(_mk(cur_name, cur_vals, prop.body))
    return out


def _mk(name: n.Name, vals: list, body) -> n.Property:
    end = vals[-1].span if vals else name.span
    span = name.span.to(end)
    return n.Property(span=span, name=name, values=vals, body=body)
