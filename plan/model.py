"""The execution plan's shape (JSON per specs/plan.schema.json): everything a
backend needs to render a call, decided here so backends decide nothing."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Side(StrEnum):
    seller = "seller"
    buyer = "buyer"


class CallKind(StrEnum):
    sales = "sales"
    population = "population"


class BeatKind(StrEnum):
    """What a turn is planned to do. Sales calls: the outline from opening to
    close, the stage's work (discovery, demo, terms, signoff) and the
    objection arc's steps; population calls: greeting, scenario, close."""
    opening = "opening"
    small_talk = "small_talk"
    reference = "reference"
    introduce_stakeholder = "introduce_stakeholder"
    agenda = "agenda"
    discovery = "discovery"
    demo = "demo"
    terms = "terms"
    signoff = "signoff"
    pain = "pain"
    competitor_mention = "competitor_mention"
    objection_raised = "objection_raised"
    objection_reopened = "objection_reopened"
    objection_addressed = "objection_addressed"
    objection_resolved = "objection_resolved"
    objection_unaddressed = "objection_unaddressed"
    objection_stalled = "objection_stalled"
    buying_signal = "buying_signal"
    next_steps = "next_steps"
    close = "close"
    greeting = "greeting"
    scenario = "scenario"


class Polarity(StrEnum):
    positive = "positive"
    negative = "negative"


class Tone(StrEnum):
    """What the words of a colour item say: an opinion either way, or nothing (a cue on plain words)."""
    positive = "positive"
    negative = "negative"
    neutral = "neutral"


class CuePlace(StrEnum):
    """Where a moment's cues are written: before the turn, or mid-turn just before the moment's words."""
    start = "start"
    mid = "mid"


class ReferenceKind(StrEnum):
    objection = "objection"
    buying_signal = "buying_signal"
    competitor = "competitor"
    topic = "topic"
    stakeholder = "stakeholder"


class ArcStep(StrEnum):
    raised = "raised"
    addressed = "addressed"
    resolved = "resolved"
    unaddressed = "unaddressed"
    reopened = "reopened"
    stalled = "stalled"


def _values(kind: type[StrEnum]) -> Any:
    """The enum's values as a Literal: fields hold plain strings (the planner
    builds calls in bulk without validation, `fast`), and the JSON Schema
    lists the values as an enum."""
    return Literal[tuple(k.value for k in kind)]


class M(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


_DEFAULTS: dict[type, tuple[dict[str, Any], list[str]]] = {}


def fast(cls, **data):
    """`cls.model_construct(**data)` without pydantic's per-field default
    handling, for frozen models built in bulk from values that are already
    typed (a population's calls, the engine's turns). Defaults that are lists
    or dicts are fresh per object, as pydantic would make them. Fields are
    kept in declaration order, which is the order they serialize in."""
    spec = _DEFAULTS.get(cls)
    if spec is None:
        spec = _DEFAULTS[cls] = ({k: f.default for k, f in cls.model_fields.items()},
                                 [k for k, f in cls.model_fields.items() if isinstance(f.default, (list, dict))])
    defaults, mutable = spec
    full = {**defaults, **data}  # a key keeps its first position: declaration order
    for k in mutable:
        if k not in data:
            full[k] = defaults[k].copy()
    m = object.__new__(cls)
    object.__setattr__(m, "__dict__", full)
    object.__setattr__(m, "__pydantic_fields_set__", set(data))
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


class Participant(M):
    id: str
    name: str
    side: _values(Side)
    role: str = ""
    persona: str | None = None
    decision_maker: bool = False
    gender: str = "neutral"
    joins_here: bool = False


class Beat(M):
    kind: _values(BeatKind)
    turn: int
    speaker: str
    key: str | None = None  # objection type, competitor, stage topic...
    arc: str | None = None
    ref_call: str | None = None
    text: str | None = None


class Moment(M):
    id: str
    turn: int
    speaker: str
    polarity: _values(Polarity)
    divergent: bool
    cues: list[str]
    beat: str | None = None
    place: _values(CuePlace) = "start"


class Colour(M):
    """Affect that is not an annotated moment: opinion words with a congruent
    cue, opinion words with no cue, or a cue on plain words. Never divergent;
    the hard negatives a divergence detector must not fire on."""
    id: str
    turn: int
    speaker: str
    tone: _values(Tone)
    cues: list[str] = []
    place: _values(CuePlace) = "start"


class Reference(M):
    call: str
    kind: _values(ReferenceKind)
    key: str | None = None
    text: str = ""
    date: str = ""  # the referenced call's date: "last week" is said only when it was


class ObjectionStep(M):
    arc: str
    type: str
    by: str
    step: _values(ArcStep)
    turn: int


class Call(M):
    id: str
    kind: _values(CallKind)
    index: int
    account: str | None = None
    population: str | None = None
    thread_index: int | None = None
    date: str
    time: str
    start: str  # ISO 8601 local time with offset
    start_utc: str
    weekday: str
    timezone: str
    locale: str
    stage: str | None = None
    length: str
    target_turns: int
    target_duration_sec: float
    medium: str = "video"
    engagement: str = "steady"
    topic: str = ""
    paralinguistics: bool = False
    participants: list[Participant]
    speakers: list[int]  # participant index per turn
    beats: list[Beat]
    moments: list[Moment] = []
    colour: list[Colour] = []
    references: list[Reference] = []
    objections: list[ObjectionStep] = []
    metadata: dict[str, Any] = {}


class ArcPlan(M):
    id: str
    objection: str
    by: str
    steps: list[dict[str, Any]]
    outcome: str  # resolved | stalled | open


class AccountPlan(M):
    name: str
    display: str
    size: str
    employees: int | None
    industry: str
    region: str
    outcome: str
    trajectory: list[str]
    competitors: list[str]
    deal_value: float | None
    stakeholders: list[dict[str, Any]]
    calls: list[str]
    arcs: list[ArcPlan]
    description: str = ""  # the spec's own words about the account: the figures it states hold in its calls


class PopulationPlan(M):
    name: str
    count: int
    window_start: str
    window_end: str
    timezone: str
    hours: list[str]
    peak: str | None
    domain: str | None
    locale: str
    sampling: str
    categoricals: dict[str, dict[str, float]]
    fields: list[str]


class Header(M):
    plan_version: int = 1
    corpusc_version: str
    spec_hash: str
    corpus: dict[str, Any]
    personas: dict[str, Any]
    objections: dict[str, Any]
    industries: dict[str, Any]
    stages: dict[str, Any]
    scenarios: dict[str, Any] = {}
    reps: list[dict[str, Any]]
    accounts: list[AccountPlan]
    populations: list[PopulationPlan]
    emits: list[dict[str, Any]]

    def account(self, name: str | None) -> AccountPlan | None:
        """The account named `name`, by a dict built once (every rendered sales
        call asks; a scan of 3,000 accounts per call was most of a build)."""
        by = self.__dict__.get("_accounts_by_name")
        if by is None:
            by = {a.name: a for a in self.accounts}
            self.__dict__["_accounts_by_name"] = by
        return by.get(name) if name is not None else None


class Summary(M):
    accounts: int = 0
    populations: int = 0
    calls: int = 0
    turns: int = 0
    minutes: float = 0.0
    moments: int = 0
    divergent: int = 0
    api_calls: int = 0


# Scenarios whose dialogue hands the caller over to a colleague in the call
# (the new agent picks up, with this role, which is also the participant's id);
# the transfer counts in `Transfers_count`, which is at least 1 for them.
HANDOVER: dict[str, str] = {"escalation_to_supervisor": "supervisor", "transfer_to_specialist": "specialist"}
