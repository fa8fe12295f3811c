"""Syntax tree -> AST (`nodes.py`), keeping a span on every node."""

from __future__ import annotations

import math
import sys

from lark import Token, Transformer, Tree
from lark.tree import Meta

from corpusc.compiler import nodes as n
from corpusc.compiler.parse import inline_parser, parse_text
from corpusc.diagnostics.model import Sink, Span

UNITS = {"s": "s", "sec": "s", "ms": "ms", "min": "min", "h": "h", "hour": "h", "hours": "h",
         "day": "days", "days": "days", "wpm": "wpm", "hz": "hz", "khz": "khz", "db": "db",
         "dB": "db", "usd": "usd"}


class _Body(list):
    """Marks the statements of a `{ ... }` block among other children."""

    def __init__(self, items, span):
        super().__init__(items)
        self.span = span


def _tok_span(file: str, t: Token) -> Span:
    return Span.of(file, t.line, t.column, t.start_pos, t.end_line, t.end_column, t.end_pos)


def _mk(cls, **kw):
    """A node (the grammar already guarantees its shape)."""
    return cls(**kw)


def _join(a: Span, b: Span) -> Span:
    return a.to(b)


class ToAst(Transformer):
    def __init__(self, file: str):
        super().__init__(visit_tokens=False)
        self.file = file
        self.misplaced: list[tuple[str, Span, str]] = []

    def keep(self, body, allowed: tuple, where: str) -> list:
        """The statements of a block that belong there; the rest is reported."""
        out = []
        for x in body:
            if isinstance(x, allowed):
                out.append(x)
            else:
                self.misplaced.append((_STMT_NAMES.get(type(x).__name__, "this statement"), x.span, where))
        return out

    # -- helpers --
    def sp(self, x) -> Span:
        if isinstance(x, Token):
            return _tok_span(self.file, x)
        if isinstance(x, (n.Node, _Body)):
            return x.span
        if isinstance(x, Meta):
            return Span.of(self.file, x.line, x.column, x.start_pos, x.end_line, x.end_column, x.end_pos)
        raise TypeError(type(x))

    def span_of(self, children) -> Span:
        real = [c for c in children if isinstance(c, (Token, n.Node, _Body))]
        return _join(self.sp(real[0]), self.sp(real[-1]))

    def val(self, x) -> n.Node:
        if isinstance(x, n.Node):
            return x
        t: Token = x
        s = self.sp(t)
        ty = t.type
        if ty == "STRING":
            return _mk(n.Str, span=s, value=_unquote(t.value))
        if ty == "INT":
            return _mk(n.Num, span=s, value=_number(t.value), is_int=True)
        if ty == "NUMBER":
            return _mk(n.Num, span=s, value=_number(t.value), is_int=False)
        if ty == "PERCENT":
            return _mk(n.Percent, span=s, value=_number(t.value[:-1]))
        if ty == "DATE":
            return _mk(n.DateV, span=s, value=t.value)
        if ty == "TIME":
            v = t.value
            return _mk(n.TimeV, span=s, value=v if len(v.split(":")[0]) == 2 else "0" + v)
        return _mk(n.Name, span=s, value=t.value)

    def name(self, t: Token) -> n.Name:
        return _mk(n.Name, span=self.sp(t), value=t.value)

    def title(self, t) -> n.Str | None:
        return None if t is None else self.val(t)

    @staticmethod
    def body_of(children) -> _Body:
        for c in children:
            if isinstance(c, _Body):
                return c
        return _Body([], None)

    # -- top level --
    def start(self, children):
        return [c for c in children if c is not None]

    def body(self, children):
        items = [c for c in children if c is not None and not isinstance(c, Token)]
        return _Body(items, _join(self.sp(children[0]), self.sp(children[-1])))

    def corpus_decl(self, c):
        b = self.keep(self.body_of(c), (n.Property,), "a corpus block")
        return _mk(n.CorpusDecl, span=self.span_of(c), name=self.name(c[1]),
                            props=[p for p in b if isinstance(p, n.Property)])

    def use_decl(self, c):
        tgt = c[1]
        if isinstance(tgt, Token):
            v = self.val(tgt)
            return _mk(n.UseDecl, span=self.span_of(c), module=v.value, is_path=True, target=v)
        return _mk(n.UseDecl, span=self.span_of(c), module=tgt.dotted, is_path=False, target=tgt)

    def module_path(self, c):
        return _mk(n.Path, span=self.span_of(c), parts=[t.value for t in c])

    coll_path = module_path
    field_path = module_path

    def catalog_kind(self, c):
        return c[0]

    rep_kind = req_kind = agg = quant = catalog_kind

    def catalog_decl(self, c):
        b = self.keep(self.body_of(c), (n.Property,), f"a {c[0].value} block")
        return _mk(n.CatalogDecl, span=self.span_of(c), catalog=c[0].value, name=self.name(c[1]),
                             title=self.title(c[2]), props=[p for p in b if isinstance(p, n.Property)])

    def rep_decl(self, c):
        b = self.keep(self.body_of(c), (n.Property,), f"a {c[0].value} block")
        return _mk(n.RepDecl, span=self.span_of(c), role=c[0].value, name=self.name(c[1]),
                         title=self.title(c[2]), props=[p for p in b if isinstance(p, n.Property)])

    def account_decl(self, c):
        b = self.keep(self.body_of(c), (n.Property, n.StakeholderDecl, n.CallDecl, n.ArcDecl), "an account")
        return _mk(n.AccountDecl, 
            span=self.span_of(c), name=self.name(c[1]), title=self.title(c[2]),
            props=[p for p in b if isinstance(p, n.Property)],
            stakeholders=[p for p in b if isinstance(p, n.StakeholderDecl)],
            calls=[p for p in b if isinstance(p, n.CallDecl)],
            arcs=[p for p in b if isinstance(p, n.ArcDecl)])

    def population_decl(self, c):
        b = self.keep(self.body_of(c), (n.Property, n.FieldDecl, n.WhenDecl), "a population")
        return _mk(n.PopulationDecl, 
            span=self.span_of(c), name=self.name(c[1]),
            props=[p for p in b if isinstance(p, n.Property)],
            fields=[p for p in b if isinstance(p, n.FieldDecl)],
            whens=[p for p in b if isinstance(p, n.WhenDecl)])

    def suite_decl(self, c):
        b = self.keep(self.body_of(c), (n.Requirement,), "a suite")
        return _mk(n.SuiteDecl, span=self.span_of(c), name=self.name(c[1]), title=self.title(c[2]),
                           requirements=[r.model_copy(update={"suite": c[1].value}) for r in b
                                         if isinstance(r, n.Requirement)])

    def emit_decl(self, c):
        b = self.keep(self.body_of(c), (n.Property,), "an emit block")
        return _mk(n.EmitDecl, span=self.span_of(c), backend=self.name(c[1]),
                          props=[p for p in b if isinstance(p, n.Property)])

    # -- statements --
    def property(self, c):
        body = None
        vals = []
        for x in c[1:]:
            if x is None:
                continue
            if isinstance(x, _Body):
                body = self.keep(x, (n.Property,), "a property block")
            else:
                vals.append(self.val(x))
        return _mk(n.Property, span=self.span_of(c), name=self.name(c[0]), values=vals, body=body)

    def stakeholder_decl(self, c):
        b = self.keep(self.body_of(c), (n.Property,), "a stakeholder")
        return _mk(n.StakeholderDecl, span=self.span_of(c), name=self.name(c[1]), title=self.title(c[2]),
                                 props=[p for p in b if isinstance(p, n.Property)])

    def on_day(self, c):
        return ("day", self.val(c[2]))

    def on_date(self, c):
        return ("date", self.val(c[1]))

    def call_decl(self, c):
        b = self.keep(self.body_of(c), (n.Property,), "a call")
        when = c[2]
        return _mk(n.CallDecl, span=self.span_of(c), name=self.name(c[1]),
                          day=when[1] if when and when[0] == "day" else None,
                          date=when[1] if when and when[0] == "date" else None,
                          props=[p for p in b if isinstance(p, n.Property)])

    def arc_step(self, c):
        call = None if c[2] is None else self.name(c[2])
        return _mk(n.ArcStep, span=self.span_of(c), step=self.name(c[0]), call=call)

    def arc_decl(self, c):
        steps = [x for x in c if isinstance(x, n.ArcStep)]
        return _mk(n.ArcDecl, span=self.span_of(c), objection=self.name(c[1]), by=self.name(c[3]),
                         steps=steps)

    def field_sampled(self, c):
        return _mk(n.FieldDecl, span=self.span_of(c), name=self.name(c[1]), sampler=c[2],
                           clamp=c[4] if len(c) > 4 else None)

    def field_derived(self, c):
        return _mk(n.FieldDecl, span=self.span_of(c), name=self.name(c[1]), derived_from=self.name(c[2]))

    def sampler(self, c):
        return _mk(n.Sampler, span=self.span_of(c), dist=self.name(c[0]),
                         args=[a for a in c[1:] if a is not None])

    def named_arg(self, c):
        return _mk(n.SamplerArg, span=self.span_of(c), name=self.name(c[0]), value=self.val(c[1]))

    def positional_arg(self, c):
        v = self.val(c[0])
        return _mk(n.SamplerArg, span=v.span, name=None, value=v)

    def when_decl(self, c):
        b = self.keep(self.body_of(c), (n.Property, n.FieldDecl), "a `when` block")
        return _mk(n.WhenDecl, span=self.span_of(c), cond=c[1],
                          props=[p for p in b if isinstance(p, n.Property)],
                          fields=[p for p in b if isinstance(p, n.FieldDecl)])

    # -- requirements --
    def requirement(self, c):
        return _mk(n.Requirement, span=self.span_of(c), severity=c[0].value, title=self.title(c[1]),
                             query=c[2])

    def aggregate_cmp(self, c):
        sel = c[1]
        op = c[2]
        if op.type == "WITHIN":
            return _mk(n.AggregateQ, span=self.span_of(c), agg=c[0].value, selection=sel, within=c[3])
        return _mk(n.AggregateQ, span=self.span_of(c), agg=c[0].value, selection=sel, op=op.value,
                            value=self.val(c[3]))

    def covers_q(self, c):
        return _mk(n.CoversQ, span=self.span_of(c), path=c[0], values=c[2])

    def quantified(self, c):
        return _mk(n.QuantifiedQ, span=self.span_of(c), quant=c[0].value, selection=c[1], cond=c[2])

    def distinct_cmp(self, c):
        paths = [x for x in c if isinstance(x, n.Path)]
        return _mk(n.DistinctQ, span=self.span_of(c), selection=c[1], by=paths, op=c[-2].value,
                           value=self.val(c[-1]))

    def selection(self, c):
        return _mk(n.Selection, span=self.span_of(c), collection=self.name(c[0]),
                           where=c[2] if len(c) > 2 else None)

    def or_cond(self, c):
        items = [x for x in c if not isinstance(x, Token)]
        return _mk(n.OrC, span=self.span_of(c), items=items)

    def and_cond(self, c):
        items = [x for x in c if not isinstance(x, Token)]
        return _mk(n.AndC, span=self.span_of(c), items=items)

    def not_c(self, c):
        return _mk(n.NotC, span=self.span_of(c), item=c[1])

    def compare(self, c):
        return _mk(n.Compare, span=self.span_of(c), path=c[0], op=c[1].value, value=self.val(c[2]))

    def member(self, c):
        return _mk(n.Member, span=self.span_of(c), path=c[0], values=c[2])

    def truthy(self, c):
        return _mk(n.Truthy, span=c[0].span, path=c[0])

    # -- values --
    def quantity(self, c):
        num = self.val(c[0])
        return _mk(n.Quantity, span=self.span_of(c), value=num.value, unit=UNITS.get(c[1].value, c[1].value))

    def range(self, c):
        return _mk(n.RangeV, span=self.span_of(c), lo=self.val(c[0]), hi=self.val(c[2]))

    def list(self, c):
        items = [self.val(x) for x in c if x is not None and not (isinstance(x, Token) and x.type in ("LSQB", "RSQB"))]
        return _mk(n.ListV, span=self.span_of(c), items=items)


def _number(text: str) -> float:
    """A numeral's value. One beyond the largest float reads as the largest
    float (±1.8e308), which every bound of the checker rejects at its token
    and `int()` still accepts; `float(int(text))` would overflow there, and
    `int()` refuses numerals of more than 4,300 digits."""
    v = float(text)
    return math.copysign(sys.float_info.max, v) if math.isinf(v) else v


def _unquote(s: str) -> str:
    body = s[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    esc = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(esc.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_STMT_NAMES = {"StakeholderDecl": "`stakeholder`", "CallDecl": "`call`", "ArcDecl": "`arc`",
               "FieldDecl": "`field`", "WhenDecl": "`when`", "Requirement": "a requirement",
               "Property": "a property"}


def to_module(file: str, tree: Tree) -> n.Module:
    """The module of a parse tree (the formatter's tests compare it with
    `parse_module`'s)."""
    t = ToAst(file)
    return _module(file, [t.transform(c) for c in tree.children if isinstance(c, Tree)], t.misplaced)


_INLINE: list = []


def parse_module(file: str, text: str, sink: Sink) -> n.Module | None:
    """Text -> module, as `to_module(parse_text(...))` but transformed while
    it parses (`parse.inline_parser`): the syntax tree is never built. None
    when nothing parsed (the syntax errors are in `sink`)."""
    if not _INLINE:
        t = ToAst("")
        _INLINE.extend((inline_parser(t), t))
    lark, t = _INLINE

    def run(work: str):
        t.file, t.misplaced = file, []  # a failed attempt's statements are not reported
        return lark.parse(work)

    items = parse_text(file, text, sink, run)
    if items is None:
        return None
    return _module(file, items, t.misplaced)


def _module(file: str, items: list, misplaced: list) -> n.Module:
    out = []
    for it in items:
        if isinstance(it, n.Requirement):
            it = _mk(n.RequirementItem, span=it.span, requirement=it)
        out.append(it)
    return _mk(n.Module, file=file, items=out, misplaced=misplaced)
