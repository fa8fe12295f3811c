"""The AST: frozen, slotted classes that carry source spans.

Structure (accounts, calls, arcs, samplers, queries) has its own node; leaf
properties stay generic `Property(name, values)` and are typed by the checker
against the block's schema (see `schema.py`).
"""

from __future__ import annotations

from typing import Literal, Union

from corpusc.diagnostics.model import Span


class _Slots(type):
    """Gives each node class slots for the fields it annotates (a large spec
    has a million nodes: as pydantic models, an object and its field dict,
    each took some 270 bytes; slotted, about 80) and records the fields, its
    bases' first, with their defaults. Dataclasses would do the same at some
    0.5 ms of generated code per class on every start of `corpusc check`."""

    def __new__(mcls, name, bases, ns):
        own = tuple(ns.get("__annotations__", {}))
        defaults = {k: ns.pop(k) for k in own if k in ns}
        ns["__slots__"] = own
        cls = super().__new__(mcls, name, bases, ns)
        cls._fields = tuple(f for b in reversed(cls.__mro__[1:]) for f in getattr(b, "_own", ())) + own
        cls._own = own
        cls._fieldset = frozenset(cls._fields)
        cls._defaults = {k: v for b in reversed(cls.__mro__[1:]) for k, v in getattr(b, "_own_defaults", {}).items()}
        cls._defaults.update(defaults)
        cls._own_defaults = defaults
        return cls


class _Frozen(metaclass=_Slots):
    """Immutable, compared and hashed by value (as the frozen models were).
    Nothing is validated: the grammar and the transform guarantee the shape;
    `model_dump`/`model_copy` keep the models' spelling."""

    def __init__(self, **kw):
        d = self._defaults
        try:
            for k in self._fields:
                object.__setattr__(self, k, kw[k] if k in kw else d[k])
        except KeyError as e:
            raise TypeError(f"{type(self).__name__}: missing field {e}") from None
        if not kw.keys() <= self._fieldset:
            raise TypeError(f"{type(self).__name__}: unknown field {sorted(kw.keys() - self._fieldset)}")

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _values(self) -> tuple:
        return tuple(getattr(self, k) for k in self._fields)

    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self._fields)})"

    def __reduce__(self):
        return _rebuild, (type(self), self._values())

    def model_dump(self) -> dict:
        return {k: _dump(getattr(self, k)) for k in self._fields}

    def model_copy(self, update: dict | None = None):
        return type(self)(**{**dict(zip(self._fields, self._values())), **(update or {})})


def _rebuild(cls, values: tuple):
    obj = object.__new__(cls)
    for k, v in zip(cls._fields, values):
        object.__setattr__(obj, k, v)
    return obj


def _dump(v):
    if isinstance(v, _Frozen):
        return v.model_dump()
    if isinstance(v, Span):  # (a tuple)
        return v.to_dict()
    if isinstance(v, list):
        return [_dump(x) for x in v]
    if isinstance(v, tuple):
        return tuple(_dump(x) for x in v)
    return v


class Node(_Frozen):
    span: Span


# ---- values -----------------------------------------------------------------

class Str(Node):
    kind: Literal["str"] = "str"
    value: str


class Num(Node):
    kind: Literal["num"] = "num"
    value: float
    is_int: bool


class Quantity(Node):
    kind: Literal["quantity"] = "quantity"
    value: float
    unit: str


class Percent(Node):
    kind: Literal["percent"] = "percent"
    value: float  # 30% -> 30.0


class DateV(Node):
    kind: Literal["date"] = "date"
    value: str  # ISO yyyy-mm-dd


class TimeV(Node):
    kind: Literal["time"] = "time"
    value: str  # HH:MM or HH:MM:SS


class Name(Node):
    kind: Literal["name"] = "name"
    value: str


class RangeV(Node):
    kind: Literal["range"] = "range"
    lo: "Scalar"
    hi: "Scalar"


class ListV(Node):
    kind: Literal["list"] = "list"
    items: list["Value"]


Scalar = Union[Str, Num, Quantity, Percent, DateV, TimeV, Name]
Value = Union[Str, Num, Quantity, Percent, DateV, TimeV, Name, RangeV, ListV]


class Property(Node):
    name: Name
    values: list[Value]
    body: "list[Property] | None" = None


# ---- queries (require / expect) ----------------------------------------------

class Path(Node):
    parts: list[str]

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


class Compare(Node):
    kind: Literal["compare"] = "compare"
    path: Path
    op: str
    value: Scalar


class Member(Node):
    kind: Literal["member"] = "member"
    path: Path
    values: ListV


class Truthy(Node):
    kind: Literal["truthy"] = "truthy"
    path: Path


class NotC(Node):
    kind: Literal["not"] = "not"
    item: "Cond"


class AndC(Node):
    kind: Literal["and"] = "and"
    items: list["Cond"]


class OrC(Node):
    kind: Literal["or"] = "or"
    items: list["Cond"]


Cond = Union[Compare, Member, Truthy, NotC, AndC, OrC]


class Selection(Node):
    collection: Name
    where: Cond | None = None


class AggregateQ(Node):
    kind: Literal["aggregate"] = "aggregate"
    agg: Literal["count", "ratio"]
    selection: Selection
    op: str | None = None  # comparison operator, or None for `within`
    value: Scalar | None = None
    within: RangeV | None = None


class CoversQ(Node):
    kind: Literal["covers"] = "covers"
    path: Path
    values: ListV


class QuantifiedQ(Node):
    kind: Literal["quantified"] = "quantified"
    quant: Literal["all", "any", "none"]
    selection: Selection
    cond: Cond


class DistinctQ(Node):
    kind: Literal["distinct"] = "distinct"
    selection: Selection
    by: list[Path]
    op: str
    value: Scalar


Query = Union[AggregateQ, CoversQ, QuantifiedQ, DistinctQ]


class Requirement(Node):
    severity: Literal["require", "expect"]
    title: Str | None
    query: Query
    suite: str | None = None  # set by the resolver for requirements inside a suite


# ---- declarations -----------------------------------------------------------

class CorpusDecl(Node):
    kind: Literal["corpus"] = "corpus"
    name: Name
    props: list[Property]


class UseDecl(Node):
    kind: Literal["use"] = "use"
    module: str
    is_path: bool
    target: Node  # the span of the module name or string


class CatalogDecl(Node):
    kind: Literal["catalog"] = "catalog"
    catalog: Literal["persona", "objection", "industry", "size", "stage", "scenario"]
    name: Name
    title: Str | None
    props: list[Property]


class RepDecl(Node):
    kind: Literal["rep"] = "rep"
    role: Literal["rep", "agent"]
    name: Name
    title: Str | None
    props: list[Property]


class StakeholderDecl(Node):
    name: Name
    title: Str | None
    props: list[Property]


class CallDecl(Node):
    name: Name
    day: Num | None = None
    date: DateV | None = None
    props: list[Property]


class ArcStep(Node):
    step: Name
    call: Name | None


class ArcDecl(Node):
    objection: Name
    by: Name
    steps: list[ArcStep]


class AccountDecl(Node):
    kind: Literal["account"] = "account"
    name: Name
    title: Str | None
    props: list[Property]
    stakeholders: list[StakeholderDecl]
    calls: list[CallDecl]
    arcs: list[ArcDecl]


class SamplerArg(Node):
    name: Name | None
    value: Scalar


class Sampler(Node):
    dist: Name
    args: list[SamplerArg]


class FieldDecl(Node):
    name: Name
    sampler: Sampler | None = None
    clamp: RangeV | None = None
    derived_from: Name | None = None


class WhenDecl(Node):
    cond: Cond
    props: list[Property]
    fields: list[FieldDecl]


class PopulationDecl(Node):
    kind: Literal["population"] = "population"
    name: Name
    props: list[Property]
    fields: list[FieldDecl]
    whens: list[WhenDecl]


class SuiteDecl(Node):
    kind: Literal["suite"] = "suite"
    name: Name
    title: Str | None
    requirements: list[Requirement]


class EmitDecl(Node):
    kind: Literal["emit"] = "emit"
    backend: Name
    props: list[Property]


class RequirementItem(Node):
    kind: Literal["requirement"] = "requirement"
    requirement: Requirement


Item = Union[CorpusDecl, UseDecl, CatalogDecl, RepDecl, AccountDecl, PopulationDecl,
             SuiteDecl, EmitDecl, RequirementItem]


class Module(_Frozen):
    file: str
    items: list[Item]
    misplaced: tuple | list = ()  # (statement, span, block) of statements written in the wrong block


