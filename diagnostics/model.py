"""Diagnostics: the one shape every error and warning takes, with a source span.

Every diagnostic carries a registered code (see `codes.py`) so `corpusc explain`
can document it, and a span so the user always learns *where*.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning", "note"]


class Pos(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based, in characters
    offset: int  # 0-based character offset


_BITS = 42  # per number: lines, columns and offsets of files far beyond the 5 MB a spec may have
_MASK = (1 << _BITS) - 1


class Span:
    """Where something is written: a file and two positions. Every AST node
    has one (a large spec has millions), so the six numbers are packed into
    one int: some 100 bytes a span, where a model and two position models
    took about 800. Immutable, hashable and compared by value like the model
    it replaces; pydantic fields of this type validate an instance (or its
    dict form) and serialize as {"file", "start", "end"}."""

    __slots__ = ("file", "_packed")

    def __init__(self, file: str, start: Pos, end: Pos) -> None:
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "_packed", _pack(start) | _pack(end) << 3 * _BITS)

    @property
    def start(self) -> Pos:
        return _unpack(self._packed)

    @property
    def end(self) -> Pos:
        return _unpack(self._packed >> 3 * _BITS)

    @staticmethod
    def point(file: str, line: int = 1, column: int = 1, offset: int = 0) -> "Span":
        p = Pos(line=line, column=column, offset=offset)
        return Span(file=file, start=p, end=p)

    @staticmethod
    def of(file: str, line: int, column: int, offset: int, end_line: int, end_column: int,
           end_offset: int) -> "Span":
        """A span from its six numbers (the parser's tokens carry them so)."""
        return _span(file, _pack((line, column, offset)) | _pack((end_line, end_column, end_offset)) << 3 * _BITS)

    def to(self, other: "Span") -> "Span":
        """From this span's start to the end of `other` (in the same file)."""
        low = (1 << 3 * _BITS) - 1
        return _span(self.file, self._packed & low | other._packed & ~low)

    def __setattr__(self, name, value):
        raise AttributeError("Span is immutable")

    def __eq__(self, other) -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return self._packed == other._packed and self.file == other.file

    def __hash__(self) -> int:
        return hash((self.file, self._packed))

    def __repr__(self) -> str:
        return f"Span(file={self.file!r}, start={self.start!r}, end={self.end!r})"

    def __reduce__(self):
        return _span, (self.file, self._packed)

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


def _pack(p: Pos) -> int:
    line, column, offset = p
    if not (0 <= line <= _MASK and 0 <= column <= _MASK and 0 <= offset <= _MASK):
        raise ValueError(f"position out of range: {p}")
    return line | column << _BITS | offset << 2 * _BITS


def _unpack(v: int) -> Pos:
    return Pos(v & _MASK, v >> _BITS & _MASK, v >> 2 * _BITS & _MASK)


def _span(file: str, packed: int) -> Span:
    s = object.__new__(Span)
    object.__setattr__(s, "file", file)
    object.__setattr__(s, "_packed", packed)
    return s


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
