"""The one exception the audio backend raises: a registered code (E07xx), a
message and a help line. It is a click exception so `corpusc build` shows it as
a diagnostic pointing at the spec's `emit audio` line and exits non-zero,
without a traceback, even when raised in a worker process."""

from __future__ import annotations

import re

import click

_EMIT = re.compile(r"^[ \t]*emit[ \t]+audio\b", re.M)


class AudioError(click.ClickException):
    exit_code = 1

    def __init__(self, code: str, message: str, help: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.help = help

    def __reduce__(self):  # crosses the process pool
        return (AudioError, (self.code, self.message, self.help))

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"

    def diagnostic(self, file: str = "<emit audio>", sources: dict[str, str] | None = None):
        from corpusc.compiler.diagnostics import Sink, Span
        span = Span.point(file)
        text = (sources or {}).get(file)
        if text is not None and (m := _EMIT.search(text)):
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            span = Span.point(file, line, col, m.start())
        return Sink().add(self.code, self.message, span, help=self.help)

    def show(self, file=None) -> None:
        from corpusc.compiler.report import render_text
        spec, sources = _spec_of_build(self.__traceback__)
        d = self.diagnostic(spec or "<emit audio>", sources)
        click.echo(render_text([d], sources or {}), err=True, nl=False)
        click.echo("build stopped: fix the error above", err=True)


def _spec_of_build(tb) -> tuple[str | None, dict[str, str] | None]:
    """The spec path and sources of the build this error stopped, read from the
    executor's frame (the backend itself never learns the spec's path)."""
    while tb is not None:
        f = tb.tb_frame.f_locals
        if "spec_path" in f and "compiled" in f:
            try:
                return str(f["spec_path"]), dict(f["compiled"].sources)
            except Exception:  # noqa: BLE001 - best effort: the message still stands without a position
                return str(f["spec_path"]), None
        tb = tb.tb_next
    return None, None
