"""Diagnostics: the one shape every error and warning takes, with a source span.

Every diagnostic carries a registered code (see `codes.py`) so `corpusc explain`
can document it, and a span so the user always learns *where*.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning", "note"]


class Pos(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)
    line: int  # 1-based
    column: int  # 1-based, in characters
    offset: int  # 0-based character offset


class Span(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)
    file: str
    start: Pos
    end: Pos

    @staticmethod
    def point(file: str, line: int = 1, column: int = 1, offset: int = 0) -> "Span":
        p = Pos(line=line, column=column, offset=offset)
        return Span(file=file, start=p, end=p)


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
