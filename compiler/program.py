"""The checked program: typed, validated declarations, the boundary between
`check` and `plan`. Nothing here refers to syntax except spans kept for
diagnostics raised later (requirements)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from corpusc.diagnostics.model import Span


class M(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class Corpus(M):
    name: str
    seed: int = 0
    locale: str = "en-US"
    starts: str = "2026-01-05"
    timezone: str = "UTC"
    product: str = ""  # none declared: renderers say it in their locale's words ("our platform")
    tagline: str = ""
    divergence: float = 0.30
    engine: str = "template"
    hours: tuple[str, str] = ("09:00", "17:00")
    description: str = ""


class Speech(M):
    rate_wpm: float = 150.0
    pitch: str = "medium"
    energy: str = "medium"
    hesitation: float = 0.1


class Persona(M):
    name: str
    title: str
    decision_style: str = "analytical"
    communication_style: str = ""
    concerns: list[str] = []
    objection_style: str = ""
    conversion_triggers: list[str] = []
    weaknesses: list[str] = []
    risk_attitude: str = "neutral"
    difficulty: str = "medium"
    phrases: list[str] = []
    wants: list[str] = []
    description: str = ""
    speech: Speech = Speech()


class Objection(M):
    name: str
    title: str
    phrasings: list[str] = []
    resolutions: list[str] = []
    description: str = ""
    severity: str = "medium"


class Industry(M):
    name: str
    title: str
    terms: list[str] = []
    pains: list[str] = []
    description: str = ""


class Size(M):
    name: str
    title: str
    employees: tuple[float, float] | None = None
    description: str = ""


class Stage(M):
    name: str
    title: str
    order: int = 0
    buying_signals: bool = False
    description: str = ""


class Scenario(M):
    """What a population scenario means to a payload: its objective status,
    the intent the agent declares, the success criterion and its evidence,
    the capabilities it invokes (VCP's purpose_contract and objective)."""
    name: str
    title: str
    domain: str | None = None
    description: str = ""
    status: str | None = None  # success | partial | filtered | failed
    intent: str = ""
    metric: str = ""
    operator: str = "eq"
    value: Any = True
    evidence: str = ""
    capabilities: list[str] = []
    headline: str = ""


class Rep(M):
    name: str
    display: str
    role: str  # rep | agent
    title: str = ""
    voice: str = ""
    gender: str = "neutral"
    team: str = ""
    shift: str = ""
    languages: list[str] = []
    style: str = ""


class Stakeholder(M):
    name: str
    display: str
    role: str = ""
    persona: str
    concerns: list[str] = []
    decision_maker: bool = False
    joins_at: str | None = None
    gender: str = "neutral"
    influence: str = "medium"


class BuyingSignal(M):
    by: str
    text: str = ""


# annotated moments per call when `moments` is not given
DEFAULT_MOMENTS = {"short": 2, "medium": 4, "long": 6, "extended": 10}


class CallSpec(M):
    name: str
    index: int
    day: int
    stage: str
    length: str  # short | medium | long | extended
    turns: int
    duration_sec: float
    with_: list[str] = Field(alias="with_")
    length_by: str = "class"  # class | duration | turns: `length N turns` is kept, the others vary per call
    paralinguistics: bool
    engagement: str = "steady"
    buying_signals: list[BuyingSignal] = []
    competitor_mentions: list[str] = []
    moments: int | None = None
    at: str | None = None
    medium: str = "video"
    topic: str = ""
    locale: str | None = None

    def moment_count(self) -> int:
        """The annotated moments the planner places in this call: what
        `moments N` asks for (or the length's default), at most one per
        buyer turn after the first."""
        if not self.paralinguistics:
            return 0
        want = self.moments if self.moments is not None else DEFAULT_MOMENTS.get(self.length, 4)
        return min(want, max(0, self.turns // 2 - 1))


class ArcStep(M):
    step: str
    call: str | None


class Arc(M):
    objection: str
    by: str
    steps: list[ArcStep]


class Account(M):
    name: str
    display: str
    size: str = ""
    employees: int | None = None
    industry: str = ""
    region: str = ""
    outcome: str = "stalled"
    trajectory: list[str] = []
    competitors: list[str] = []
    deal_value: float | None = None
    description: str = ""
    divergence: float | None = None
    stakeholders: list[Stakeholder] = []
    calls: list[CallSpec] = []
    arcs: list[Arc] = []


class Category(M):
    value: str
    weight: float  # percent, 0..100


class Categorical(M):
    field: str
    categories: list[Category]


class FieldSpec(M):
    name: str
    dist: str | None = None  # uniform, normal, lognormal, poisson, bool, int, choice
    params: dict[str, Any] = {}
    unit: str | None = None  # "s" when the sampler was written in durations
    clamp: tuple[float, float] | None = None
    derived_from: str | None = None


class WhenSpec(M):
    cond: Any  # an n.Cond node, validated by the checker, not again here
    fields: list[FieldSpec]
    # categorical field -> category -> weight multiplier (2.5 = 250%) for the
    # calls that match; only on hour and weekday, which are known first
    adjust: dict[str, dict[str, float]] = {}


class AgentInfo(M):
    """A rep or agent named by a population's `agent` field."""
    name: str
    display: str
    team: str = ""
    shift: str = ""
    gender: str = "neutral"
    voice: str = ""
    languages: list[str] = []


class Population(M):
    name: str
    count: int
    window_start: str
    window_end: str  # inclusive
    timezone: str
    hours: tuple[str, str] = ("00:00", "23:59")
    peak: str | None = None
    weekdays: dict[str, float] = {}
    categoricals: list[Categorical] = []
    fields: list[FieldSpec] = []
    whens: list[WhenSpec] = []
    sampling: str = "exact"
    domain: str | None = None
    locale: str = "en-US"
    volume_per_day: int | None = None
    agents: dict[str, AgentInfo] = {}
    shifts: dict[str, tuple[str, str]] = {}  # name -> (from, to), local HH:MM


class RequirementSpec(M):
    severity: str
    title: str
    suite: str | None
    query: Any  # an n.Query node, validated by the checker, not again here
    span: Span
    stdlib: bool = False


class EmitValue(M):
    """One value of an emit option as written. The compiler keeps only the
    shape; the backend's options model types it (builder/compile.py)."""
    kind: str  # name | str | num | quantity | percent | date | time | range | list
    value: Any = None  # a list's items are in `items`, a range's ends in `items` too
    span: Span
    items: list[EmitValue] = []


class EmitLine(M):
    """One line of an `emit` block: a name and the values after it (a line may
    hold several options, e.g. `engine espeak stereo`; the options model splits it)."""
    name: str
    span: Span  # the name
    values: list[EmitValue] = []
    block: Span | None = None  # where a `{ }` after it is written (no option takes one)


class Emit(M):
    backend: str
    options: dict[str, Any] = {}  # the options model's validated values, set by builder/compile.py
    # spec-relative options (a prompts or cache folder) as written, normalised: what
    # plan.json and manifest.json show (`options` holds them absolute, for the build)
    paths: dict[str, str] = Field(default={}, exclude=True)

    def portable_options(self) -> dict[str, Any]:
        """The options as plan.json and manifest.json show them: the same on every machine and checkout."""
        return {**self.options, **self.paths} if self.paths else self.options
    # syntax, for the builder's check; not part of the plan header
    span: Span | None = Field(default=None, exclude=True)  # the backend's name
    lines: list[EmitLine] = Field(default=[], exclude=True)


class Program(M):
    corpus: Corpus
    personas: dict[str, Persona] = {}
    objections: dict[str, Objection] = {}
    industries: dict[str, Industry] = {}
    sizes: dict[str, Size] = {}
    stages: dict[str, Stage] = {}
    scenarios: dict[str, Scenario] = {}
    reps: dict[str, Rep] = {}
    accounts: list[Account] = []
    populations: list[Population] = []
    requirements: list[RequirementSpec] = []
    emits: list[Emit] = []
