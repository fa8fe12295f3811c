"""The coverage report of `corpusc check`: one row per criterion with its
measured value, pass/fail, the calls that satisfy it and what is missing."""

from __future__ import annotations

from typing import Any

import click

from corpusc.plan.requirements import Criterion


def coverage_table(path: str, results: list[Criterion], color: bool = False) -> str:
    passed = sum(1 for r in results if r.passed)
    lines = [f"Coverage of {path}: {passed}/{len(results)} criteria met"]
    width = min(56, max((len(r.title) for r in results), default=10))
    for r in results:
        if r.passed:
            mark = "PASS"
            col = "green"
        elif r.severity == "require":
            mark, col = "FAIL", "red"
        else:
            mark, col = "WARN", "yellow"
        tag = click.style(mark, fg=col, bold=True) if color else mark
        title = r.title if len(r.title) <= width else r.title[: width - 1] + "…"
        row = f"  {tag}  {title:<{width}}  {r.measured:<16}"
        if r.passed and r.witnesses:
            shown = ", ".join(r.witnesses[:4]) + (f" +{len(r.witnesses) - 4}" if len(r.witnesses) > 4 else "")
            row += f"  {shown}"
        elif not r.passed:
            row += f"  missing: {r.missing}"
        lines.append(row.rstrip())
    return "\n".join(lines) + "\n"


def coverage_json(compiled, results: list[Criterion]) -> dict[str, Any]:
    prog = compiled.program
    return {
        "corpus": prog.corpus.name if prog else None,
        "spec_hash": compiled.spec_hash,
        "passed": all(r.passed or r.severity == "expect" for r in results),
        "criteria": [{
            "title": r.title, "severity": r.severity, "suite": r.suite, "query": r.query,
            "measured": r.measured, "passed": r.passed, "witnesses": r.witnesses, "missing": r.missing,
            "location": {"file": r.span.file, "line": r.span.start.line, "column": r.span.start.column},
        } for r in results],
    }
