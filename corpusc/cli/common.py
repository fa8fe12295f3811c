"""What every command shares: exit codes, the last line of defence that
turns a bug into E0901 (a document of the asked format, never a bare
traceback), diagnostics in the asked format, and the progress bar."""

from __future__ import annotations

import functools
import os
import sys

import click

from corpusc import __version__

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def internal_errors(fn):
    @functools.wraps(fn)
    def wrapper(*a, **kw):
        try:
            return fn(*a, **kw)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            sys.exit(EXIT_ERRORS)
        except Exception as e:  # noqa: BLE001 - the last line of defence, by design
            if os.environ.get("CORPUSC_DEBUG"):
                raise
            from corpusc.diagnostics.model import Sink, Span
            from corpusc.diagnostics.report import render_text
            sink = Sink()
            sink.add("E0901", f"internal error: {type(e).__name__}: {e}", Span.point("<corpusc>"),
                     help="this is a bug in corpusc; please report it with the spec that triggers it "
                          "(rerun with CORPUSC_DEBUG=1 for a traceback)")
            if not internal_document(fn.__name__, kw.get("fmt"), sink.items):
                click.echo(render_text(sink.items, {}), err=True, nl=False)
            sys.exit(EXIT_ERRORS)
    return wrapper


def internal_document(command: str, fmt, diags) -> bool:
    """A machine-readable format promises a document: after an internal error
    it holds the E0901 diagnostic. check and verify print theirs on stdout
    (and the text on stderr, for whoever watches), plan on stderr instead of
    the text; check's JSON keeps its `coverage` key. False: no document."""
    if fmt not in ("json", "sarif", "github"):
        return False
    on_stdout = command in ("check", "verify")
    if on_stdout:
        from corpusc.diagnostics.report import render_text
        click.echo(render_text(diags, {}), err=True, nl=False)
    if command == "check" and fmt == "json":
        import json
        from corpusc.diagnostics import report
        doc = json.loads(report.render_json(diags, {}))
        doc["coverage"] = []
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        emit_diags(diags, {}, fmt, err=not on_stdout)
    return True


def want_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def emit_diags(diags, sources, fmt: str, err: bool = False) -> None:
    from corpusc.diagnostics import report
    if fmt == "json":
        click.echo(report.render_json(diags, sources), nl=False, err=err)
    elif fmt == "sarif":
        click.echo(report.render_sarif(diags, sources, __version__), nl=False, err=err)
    elif fmt == "github":
        click.echo(report.render_github(diags), nl=False, err=err)
    else:
        text = report.render_text(diags, sources, color=want_color())
        if text:
            click.echo(text, nl=False, err=err)


class _NoProgress:
    def __enter__(self):
        return lambda n=1: None

    def __exit__(self, *exc):
        return False


def progress_bar(total: int, what: str = "rendering"):
    """A rich progress bar on an interactive stderr; nothing otherwise.
    Used as `with progress_bar(n) as advance: advance(k)`."""
    if not sys.stderr.isatty():
        return _NoProgress()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    class _Bar:
        def __enter__(self):
            self.p = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                              TimeRemainingColumn(), console=Console(stderr=True), transient=True)
            self.p.__enter__()
            self.task = self.p.add_task(what, total=total)
            return lambda n=1: self.p.advance(self.task, n)

        def __exit__(self, *exc):
            return self.p.__exit__(*exc)
    return _Bar()
