"""The AST: frozen, slotted dataclasses that carry source spans.

Structure (accounts, calls, arcs, samplers, queries) has its own node; leaf
properties stay generic `Property(name, values)` and are typed by the checker
against the block's schema (see `schema.py`).
"""

from __future__ import annotations

from typing import Literal, Union

from dataclasses import dataclass, field, fields, replace

from corpusc.diagnostics.model import Span

# A large spec has a million nodes: as pydantic models (an object and its
# field dict) each took some 270 bytes, as slotted dataclasses about 80.
# The grammar and the transform already guarantee their shape, so nothing
# is validated here; `model_dump`/`model_copy` keep the models' spelling.
_node = dataclass(frozen=True, slots=True, kw_only=True)


def _dump(v):
    if isinstance(v, (Node, Module)):
        return v.model_dump()
    if isinstance(v, Span):  # (a tuple)
        return v.to_dict()
    if isinstance(v, list):
        return [_dump(x) for x in v]
    if isinstance(v, tuple):
        return tuple(_dump(x) for x in v)
    return v


@_node
class Node:
    span: Span

    def model_dump(self) -> dict:
        return {f.name: _dump(getattr(self, f.name)) for f in fields(self)}

    def model_copy(self, update: dict | None = None):
        return replace(self, **(update or {}))


# ---- values -----------------------------------------------------------------

@_node
class Str(Node):
    kind: Literal["str"] = "str"
    value: str


@_node
class Num(Node):
    kind: Literal["num"] = "num"
    value: float
    is_int: bool


@_node
class Quantity(Node):
    kind: Literal["quantity"] = "quantity"
    value: float
    unit: str


@_node
class Percent(Node):
    kind: Literal["percent"] = "percent"
    value: float  # 30% -> 30.0


@_node
class DateV(Node):
    kind: Literal["date"] = "date"
    value: str  # ISO yyyy-mm-dd


@_node
class TimeV(Node):
    kind: Literal["time"] = "time"
    value: str  # HH:MM or HH:MM:SS


@_node
class Name(Node):
    kind: Literal["name"] = "name"
    value: str


@_node
class RangeV(Node):
    kind: Literal["range"] = "range"
    lo: "Scalar"
    hi: "Scalar"


@_node
class ListV(Node):
    kind: Literal["list"] = "list"
    items: list["Value"]


Scalar = Union[Str, Num, Quantity, Percent, DateV, TimeV, Name]
Value = Union[Str, Num, Quantity, Percent, DateV, TimeV, Name, RangeV, ListV]


@_node
class Property(Node):
    name: Name
    values: list[Value]
    body: "list[Property] | None" = None


# ---- queries (require / expect) ----------------------------------------------

@_node
class Path(Node):
    parts: list[str]

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@_node
class Compare(Node):
    kind: Literal["compare"] = "compare"
    path: Path
    op: str
    value: Scalar


@_node
class Member(Node):
    kind: Literal["member"] = "member"
    path: Path
    values: ListV


@_node
class Truthy(Node):
    kind: Literal["truthy"] = "truthy"
    path: Path


@_node
class NotC(Node):
    kind: Literal["not"] = "not"
    item: "Cond"


@_node
class AndC(Node):
    kind: Literal["and"] = "and"
    items: list["Cond"]


@_node
class OrC(Node):
    kind: Literal["or"] = "or"
    items: list["Cond"]


Cond = Union[Compare, Member, Truthy, NotC, AndC, OrC]


@_node
class Selection(Node):
    collection: Name
    where: Cond | None = None


@_node
class AggregateQ(Node):
    kind: Literal["aggregate"] = "aggregate"
    agg: Literal["count", "ratio"]
    selection: Selection
    op: str | None = None  # comparison operator, or None for `within`
    value: Scalar | None = None
    within: RangeV | None = None


@_node
class CoversQ(Node):
    kind: Literal["covers"] = "covers"
    path: Path
    values: ListV


@_node
class QuantifiedQ(Node):
    kind: Literal["quantified"] = "quantified"
    quant: Literal["all", "any", "none"]
    selection: Selection
    cond: Cond


@_node
class DistinctQ(Node):
    kind: Literal["distinct"] = "distinct"
    selection: Selection
    by: list[Path]
    op: str
    value: Scalar


Query = Union[AggregateQ, CoversQ, QuantifiedQ, DistinctQ]


@_node
class Requirement(Node):
    severity: Literal["require", "expect"]
    title: Str | None
    query: Query
    suite: str | None = None  # set by the resolver for requirements inside a suite


# ---- declarations -----------------------------------------------------------

@_node
class CorpusDecl(Node):
    kind: Literal["corpus"] = "corpus"
    name: Name
    props: list[Property]


@_node
class UseDecl(Node):
    kind: Literal["use"] = "use"
    module: str
    is_path: bool
    target: Node  # the span of the module name or string


@_node
class CatalogDecl(Node):
    kind: Literal["catalog"] = "catalog"
    catalog: Literal["persona", "objection", "industry", "size", "stage", "scenario"]
    name: Name
    title: Str | None
    props: list[Property]


@_node
class RepDecl(Node):
    kind: Literal["rep"] = "rep"
    role: Literal["rep", "agent"]
    name: Name
    title: Str | None
    props: list[Property]


@_node
class StakeholderDecl(Node):
    name: Name
    title: Str | None
    props: list[Property]


@_node
class CallDecl(Node):
    name: Name
    day: Num | None = None
    date: DateV | None = None
    props: list[Property]


@_node
class ArcStep(Node):
    step: Name
    call: Name | None


@_node
class ArcDecl(Node):
    objection: Name
    by: Name
    steps: list[ArcStep]


@_node
class AccountDecl(Node):
    kind: Literal["account"] = "account"
    name: Name
    title: Str | None
    props: list[Property]
    stakeholders: list[StakeholderDecl]
    calls: list[CallDecl]
    arcs: list[ArcDecl]


@_node
class SamplerArg(Node):
    name: Name | None
    value: Scalar


@_node
class Sampler(Node):
    dist: Name
    args: list[SamplerArg]


@_node
class FieldDecl(Node):
    name: Name
    sampler: Sampler | None = None
    clamp: RangeV | None = None
    derived_from: Name | None = None


@_node
class WhenDecl(Node):
    cond: Cond
    props: list[Property]
    fields: list[FieldDecl]


@_node
class PopulationDecl(Node):
    kind: Literal["population"] = "population"
    name: Name
    props: list[Property]
    fields: list[FieldDecl]
    whens: list[WhenDecl]


@_node
class SuiteDecl(Node):
    kind: Literal["suite"] = "suite"
    name: Name
    title: Str | None
    requirements: list[Requirement]


@_node
class EmitDecl(Node):
    kind: Literal["emit"] = "emit"
    backend: Name
    props: list[Property]


@_node
class RequirementItem(Node):
    kind: Literal["requirement"] = "requirement"
    requirement: Requirement


Item = Union[CorpusDecl, UseDecl, CatalogDecl, RepDecl, AccountDecl, PopulationDecl,
             SuiteDecl, EmitDecl, RequirementItem]


@_node
class Module:
    file: str
    items: list[Item]
    misplaced: list = field(default_factory=list)  # (statement, span, block) of statements written in the wrong block

    model_dump = Node.model_dump
    model_copy = Node.model_copy


