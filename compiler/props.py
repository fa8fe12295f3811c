"""Typed properties: a block's `name value...` lines checked against its
schema (unknown, repeated, missing, wrongly typed) into name -> value. The
checker and the population checker both read blocks through it."""

from __future__ import annotations

import re
from typing import Any

from corpusc.compiler import nodes as n
from corpusc.compiler.schema import Block, KindError, did_you_mean, split_line
from corpusc.diagnostics.model import Sink, Span


class Props:
    """The typed properties of one block: name -> value, with the nodes kept."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.nodes: dict[str, n.Property] = {}
        self.repeated: dict[str, list[tuple[Any, n.Property]]] = {}
        self.invalid: set[str] = set()  # set but rejected: no follow-on "missing" error

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def span(self, key: str, fallback: Span) -> Span:
        p = self.nodes.get(key)
        return p.span if p is not None else fallback


def typed_props(props: list[n.Property], schema: Block, sink: Sink, *, owner: str,
                owner_span: Span) -> Props:
    out = Props()
    for line in props:
        for prop in split_line(line, schema):
            key = prop.name.value
            spec = schema.props.get(key)
            if spec is None:
                hint = did_you_mean(key, schema.props)
                sink.add("E0206", f"unknown property `{key}` in {owner}", prop.name.span,
                         label="not a property of this block",
                         help=hint or ("valid: " + ", ".join(sorted(schema.props))))
                continue
            if key in out.nodes and not spec.repeat:
                sink.add("E0205", f"`{key}` is set twice in {owner}", prop.name.span,
                         label="second setting", help="remove one of them",
                         notes=[f"first set at line {out.nodes[key].span.start.line}"])
                continue
            nvals = len(prop.values)
            if spec.body and prop.body is None and nvals == 0:
                sink.add("E0207", f"`{key}` takes a block", prop.name.span,
                         help=f"write `{key} {{ ... }}`")
                continue
            try:
                if spec.body is None and prop.body is not None:
                    raise KindError(f"`{key}` does not take a block", prop)
                if nvals < spec.min and not (spec.body and prop.body is not None):
                    raise KindError(f"`{key}` needs a value", prop.name,
                                    help="see `corpusc explain E0207`")
                if spec.max is not None and nvals > spec.max:
                    exp = _exponent(prop.values)
                    if exp is not None:
                        raise KindError(f"`{exp[0]}` is not a number", exp[1],
                                        help="write numbers in full, without an exponent")
                    raise KindError(f"`{key}` takes {_count(spec.max)}, got {nvals}",
                                    prop.values[spec.max], help="put each property on its own line")
                value = spec.kind(prop.values) if spec.body is None else prop.body
            except KindError as e:
                sink.add("E0207", f"invalid value for `{key}`: {e.message}",
                         (e.node or prop).span, label=e.message, help=e.help)
                out.invalid.add(key)
                continue
            out.nodes[key] = prop
            out.values[key] = value
            out.repeated.setdefault(key, []).append((value, prop))
    for req in schema.required:
        if req not in out.nodes and req not in out.invalid:
            sink.add("E0208", f"{owner} has no `{req}`", owner_span,
                     label=f"`{req}` is required here", help=f"add `{req} ...` to the block")
    return out


def _exponent(values: list[n.Node]) -> tuple[str, n.Node] | None:
    """`1e3` reads as the number 1 then the name `e3`: (the text, the `e3` node) if so."""
    for a, b in zip(values, values[1:]):
        if isinstance(a, n.Num) and isinstance(b, n.Name) and re.fullmatch(r"[eE]\d{1,3}", b.value) \
                and a.span.end.offset == b.span.start.offset:
            return f"{a.value:g}{b.value}", b
    return None


def _count(k: int) -> str:
    return "no value" if k == 0 else ("one value" if k == 1 else f"{k} values")
