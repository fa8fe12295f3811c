"""The AST: pydantic models that carry source spans.

Structure (accounts, calls, arcs, samplers, queries) has its own node; leaf
properties stay generic `Property(name, values)` and are typed by the checker
against the block's schema (see `schema.py`).
"""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict

from corpusc.diagnostics.model import Span


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)
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


class Module(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)
    file: str
    items: list[Item]
    misplaced: list = []  # (statement, span, block) of statements written in the wrong block


