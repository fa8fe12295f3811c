"""Diagnostics: the one shape every error and warning takes, with a source span.

Every diagnostic carries a registered code (see `codes.py`) so `corpusc explain`
can document it, and a span so the user always learns *where*.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning", "note"]


class Pos(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based, in characters
    offset: int  # 0-based character offset


_BITS = 42  # per number: lines, columns and offsets of files far beyond the 5 MB a spec may have
_MASK = (1 << _BITS) - 1


class Span(tuple):
    """Where something is written: a file and two positions. Every AST node
    has one (a large spec has a million), so it is a pair (file, the six
    numbers packed into one int): some 100 bytes a span, where a model and
    two position models took about 800. Immutable, hashable and compared by
    value like the model it replaces; pydantic fields of this type validate
    an instance (or its dict form) and serialize as {"file", "start", "end"}."""

    __slots__ = ()

    def __new__(cls, file: str, start: Pos, end: Pos) -> "Span":
        return tuple.__new__(cls, (file, _pack(start) | _pack(end) << 3 * _BITS))

    file = property(itemgetter(0))
    _packed = property(itemgetter(1))

    @property
    def start(self) -> Pos:
        return _unpack(self[1])

    @property
    def end(self) -> Pos:
        return _unpack(self[1] >> 3 * _BITS)

    @staticmethod
    def point(file: str, line: int = 1, column: int = 1, offset: int = 0) -> "Span":
        p = Pos(line=line, column=column, offset=offset)
        return Span(file=file, start=p, end=p)

    @staticmethod
    def of(file: str, line: int, column: int, offset: int, end_line: int, end_column: int,
           end_offset: int) -> "Span":
        """A span from its six numbers, as the parser's tokens carry them
        (never negative, and far below 2**42 in a file of at most 5 MB)."""
        return tuple.__new__(Span, (file, line | column << _BITS | offset << 2 * _BITS | end_line << 3 * _BITS
                                    | end_column << 4 * _BITS | end_offset << 5 * _BITS))

    def to(self, other: "Span") -> "Span":
        """From this span's start to the end of `other` (in the same file)."""
        return tuple.__new__(Span, (self[0], self[1] & _LOW | other[1] & ~_LOW))

    def __repr__(self) -> str:
        return f"Span(file={self.file!r}, start={self.start!r}, end={self.end!r})"

    def __reduce__(self):
        return _span, tuple(self)

    def to_dict(self) -> dict:
        return {"file": self.file, "start": self.start._asdict(), "end": self.end._asdict()}

    @classmethod
    def _validate(cls, value) -> "Span":
        if isinstance(value, Span):
            return value
        if isinstance(value, dict) and set(value) == {"file", "start", "end"}:
            return Span(str(value["file"]), Pos(**value["start"]), Pos(**value["end"]))
        raise ValueError("expected a Span")

    @classmethod
    def __get_pydantic_core_schema__(cls, source, handler):
        from pydantic_core import core_schema
        return core_schema.no_info_plain_validator_function(
            cls._validate, serialization=core_schema.plain_serializer_function_ser_schema(lambda s: s.to_dict()))

    @classmethod
    def __get_pydantic_json_schema__(cls, schema, handler):
        pos = {"type": "object", "properties": {k: {"type": "integer"} for k in Pos._fields},
               "required": list(Pos._fields)}
        return {"type": "object", "properties": {"file": {"type": "string"}, "start": pos, "end": pos},
                "required": ["file", "start", "end"]}


_LOW = (1 << 3 * _BITS) - 1


def _pack(p: Pos) -> int:
    line, column, offset = p
    if not (0 <= line <= _MASK and 0 <= column <= _MASK and 0 <= offset <= _MASK):
        raise ValueError(f"position out of range: {p}")
    return line | column << _BITS | offset << 2 * _BITS


def _unpack(v: int) -> Pos:
    return Pos(v & _MASK, v >> _BITS & _MASK, v >> 2 * _BITS & _MASK)


def _span(file: str, packed: int) -> Span:
    return tuple.__new__(Span, (file, packed))


class Diagnostic(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)
    code: str
    severity: Severity
    message: str
    span: Span
    label: str = ""  # short text under the carets
    help: str = ""  # how to fix it
    notes: tuple[str, ...] = ()


class Sink:
    """Collects diagnostics; compiler passes append, nobody raises."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, code: str, message: str, span: Span, *, label: str = "", help: str = "",
            notes: tuple[str, ...] | list[str] = (), severity: Severity | None = None) -> Diagnostic:
        from corpusc.diagnostics.codes import CODES

        sev = severity or CODES[code].severity
        d = Diagnostic(code=code, severity=sev, message=message, span=span, label=label,
                       help=help, notes=tuple(notes))
        self.items.append(d)
        return d

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        seen: set[tuple] = set()
        out = []
        for d in sorted(self.items, key=lambda d: (d.span.file, d.span.start.offset, d.code, d.message)):
            key = (d.code, d.span, d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out
