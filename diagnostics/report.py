"""Diagnostics -> text for people and for machines.

One renderer per `corpusc check --format`: `text` (rustc style, for terminals),
`json` (shaped like `terraform validate -json`), `sarif` (SARIF 2.1.0 for GitHub
code scanning) and `github` (workflow commands that annotate a pull request).
Renderers are pure: they take the diagnostics in the order to print (pass
`Sink.sorted()`) and the text of each file, and return a string; the CLI writes
it and decides the exit code.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import unicodedata
from urllib.parse import quote

import click

from corpusc.diagnostics.codes import CODES, Code
from corpusc.diagnostics.model import Diagnostic

TAB_WIDTH = 4
INFORMATION_URI = "https://github.com/corpusc/corpusc"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_SEVERITY_COLOR = {"error": "red", "warning": "yellow", "note": "green"}
_GITHUB_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


# --- source text ---------------------------------------------------------------

class _Source:
    """A file's lines plus the char and byte offset of each line start, so that
    positions convert without re-encoding the whole file per diagnostic."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")  # the parser counts lines by "\n" only
        self.char_starts: list[int] = []
        self.byte_starts: list[int] = []
        c = b = 0
        for ln in self.lines:
            self.char_starts.append(c)
            self.byte_starts.append(b)
            c += len(ln) + 1
            b += _utf8_len(ln) + 1

    def line(self, n: int) -> str | None:
        """Line `n` (1-based) without its line break; None if there is none."""
        if 1 <= n <= len(self.lines):
            return self.lines[n - 1].removesuffix("\r")
        return None

    def byte(self, offset: int) -> int:
        offset = max(0, min(offset, len(self.text)))
        i = bisect.bisect_right(self.char_starts, offset) - 1
        return self.byte_starts[i] + _utf8_len(self.text[self.char_starts[i]:offset])


def _utf8_len(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))


class _Sources:
    """Index a file only when a diagnostic points into it: the CLI may pass
    every loaded module, stdlib included."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.done: dict[str, _Source] = {}

    def get(self, name: str) -> _Source | None:
        if name not in self.done and name in self.texts:
            self.done[name] = _Source(self.texts[name])
        return self.done.get(name)


def _line_text(d: Diagnostic, src: _Sources) -> str | None:
    s = src.get(d.span.file)
    return s.line(d.span.start.line) if s else None


def _end_column(d: Diagnostic, line: str | None) -> int:
    """Exclusive 1-based end column on the start line: a span that runs onto
    later lines is cut at the end of the start line."""
    start, end = d.span.start, d.span.end
    if end.line > start.line:
        return (len(line) + 1) if line is not None else start.column + 1
    return max(end.column, start.column)


def _flat_message(d: Diagnostic) -> str:
    """Message, help and notes on one line, for formats with a single text field."""
    parts = [d.message]
    if d.help:
        parts.append(f"help: {d.help}")
    parts += [f"note: {n}" for n in d.notes]
    return ". ".join(parts)


def _relative_path(file: str) -> str:
    """CI tools want repository-relative paths with forward slashes."""
    path = file.replace("\\", "/")
    if os.path.isabs(file):
        try:
            rel = os.path.relpath(file)
        except ValueError:  # another drive on Windows
            return path
        if not rel.startswith(".."):
            path = rel.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- text ------------------------------------------------------------------------

def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _layout(line: str) -> tuple[str, list[int]]:
    """The line as the terminal shows it (tabs expanded, control characters
    made visible) and the display column where each character starts, so that
    carets land under the characters they point at."""
    shown: list[str] = []
    cols: list[int] = []
    col = 0
    for ch in line:
        cols.append(col)
        if ch == "\t":
            n = TAB_WIDTH - col % TAB_WIDTH
            shown.append(" " * n)
            col += n
        elif ch < " " or ch == "\x7f":
            shown.append("\ufffd")
            col += 1
        else:
            shown.append(ch)
            col += _char_width(ch)
    cols.append(col)
    return "".join(shown), cols


def _style(text: str, color: bool, **kw) -> str:
    return click.style(text, **kw) if color else text


def _render_one(d: Diagnostic, src: _Sources, color: bool) -> str:
    sev_color = _SEVERITY_COLOR.get(d.severity, "red")
    start = d.span.start
    width = len(str(start.line))
    pad = " " * width

    def gutter(s: str) -> str:
        return _style(s, color, fg="blue", bold=True)

    out = [_style(f"{d.severity}[{d.code}]", color, fg=sev_color, bold=True)
           + _style(f": {d.message}", color, bold=True)]
    if d.span.file:
        out.append(f"{pad}{gutter('-->')} {d.span.file}:{start.line}:{start.column}")

    line = _line_text(d, src)
    if line is not None:
        shown, cols = _layout(line)
        s = min(start.column - 1, len(line))
        e = min(max(_end_column(d, line) - 1, s), len(line))
        carets = "^" * max(1, cols[e] - cols[s])
        marker = carets + (f" {d.label}" if d.label else "")
        out.append(gutter(f"{pad} |"))
        out.append((gutter(f"{start.line} |") + f" {shown}").rstrip())
        out.append(gutter(f"{pad} |") + " " * (1 + cols[s])
                   + _style(marker, color, fg=sev_color, bold=True))

    for kind, text in [("note", n) for n in d.notes] + ([("help", d.help)] if d.help else []):
        head = f"{pad} {gutter('=')} " + _style(f"{kind}:", color, bold=True)
        cont = "\n" + " " * (width + 5 + len(kind))
        out.append(f"{head} {cont.join(text.splitlines())}")
    return "\n".join(out) + "\n"


def render_text(diags: list[Diagnostic], sources: dict[str, str], color: bool = False) -> str:
    """Rustc-style blocks, each followed by a blank line, so the CLI can print
    `summary_line` right after it. Empty string when there is nothing to say."""
    src = _Sources(sources)
    return "".join(_render_one(d, src, color) + "\n" for d in diags)


def summary_line(diags: list[Diagnostic], color: bool = False) -> str:
    """The closing count line; `error:` when the check fails so it reads as the
    verdict, `check passed:` otherwise."""
    errors = sum(d.severity == "error" for d in diags)
    warnings = sum(d.severity == "warning" for d in diags)
    counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    if errors:
        return _style("error", color, fg="red", bold=True) + f": {counts} emitted"
    return _style("check passed", color, fg="green", bold=True) + f": {counts}"


# --- json --------------------------------------------------------------------------

def _detail(d: Diagnostic) -> str:
    """Label, help and notes as lines: terraform shows `detail` as paragraphs."""
    parts = ([d.label] if d.label else []) + ([f"help: {d.help}"] if d.help else [])
    return "\n".join(parts + [f"note: {n}" for n in d.notes])


def _json_diag(d: Diagnostic, src: _Sources) -> dict:
    s = src.get(d.span.file)
    start, end = d.span.start, d.span.end

    def pos(p) -> dict:
        return {"line": p.line, "column": p.column, "byte": s.byte(p.offset) if s else p.offset}

    snippet = None
    line = s.line(start.line) if s else None
    if s is not None and line is not None:
        line_byte = s.byte_starts[start.line - 1]
        limit = _utf8_len(line)
        hs = min(max(s.byte(start.offset) - line_byte, 0), limit)
        he = min(max(s.byte(end.offset) - line_byte, hs), limit)
        if end.line > start.line:
            he = limit
        snippet = {"context": None, "code": line, "start_line": start.line,
                   "highlight_start_offset": hs, "highlight_end_offset": he}
    return {
        "severity": d.severity,
        "code": d.code,
        "summary": d.message,
        "detail": _detail(d),
        "range": {"filename": d.span.file, "start": pos(start), "end": pos(end)},
        "snippet": snippet,
    }


def render_json(diags: list[Diagnostic], sources: dict[str, str]) -> str:
    """`terraform validate -json` shape, so editors and CI scripts that already
    read it work unchanged. `byte` and the snippet highlight offsets are UTF-8
    byte offsets (as in terraform); `column` counts characters."""
    src = _Sources(sources)
    errors = sum(d.severity == "error" for d in diags)
    doc = {
        "format_version": "1.0",
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": sum(d.severity == "warning" for d in diags),
        "diagnostics": [_json_diag(d, src) for d in diags],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- sarif -------------------------------------------------------------------------

def _camel(title: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in title).split()
    return "".join(w[0].upper() + w[1:] for w in words)


def _sarif_rule(code: str) -> dict:
    c = CODES.get(code) or Code(code, "error", code, code)
    return {
        "id": c.code,
        "name": _camel(c.title),
        "shortDescription": {"text": c.title},
        "fullDescription": {"text": c.explanation},
        "help": {"text": f"{c.explanation}\n\n`corpusc explain {c.code}` prints this text.",
                 "markdown": f"{c.explanation}\n\n`corpusc explain {c.code}` prints this text."},
        "defaultConfiguration": {"level": c.severity},
    }


def _sarif_uri(file: str) -> dict:
    path = _relative_path(file)
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        # outside the checkout: an absolute file URI, no base id
        return {"uri": "file://" + quote(path if path.startswith("/") else "/" + path, safe="/:")}
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def _fingerprint(d: Diagnostic, line: str | None) -> str:
    """Stable across edits elsewhere in the file: hashes the code, the file and
    the trimmed line text (not the line number)."""
    text = line.strip() if line is not None else d.message
    key = "\0".join([d.code, _relative_path(d.span.file), text])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def render_sarif(diags: list[Diagnostic], sources: dict[str, str], tool_version: str) -> str:
    """SARIF 2.1.0 for `github/codeql-action/upload-sarif`. Columns are code
    points (`columnKind`), matching the parser's character columns."""
    src = _Sources(sources)
    used = sorted({d.code for d in diags})
    index = {code: i for i, code in enumerate(used)}
    seen: dict[str, int] = {}
    results = []
    for d in diags:
        start, end = d.span.start, d.span.end
        line = _line_text(d, src)
        end_line, end_col = end.line, end.column
        if (end_line, end_col) <= (start.line, start.column):
            end_line, end_col = start.line, start.column + 1
        fp = _fingerprint(d, line)
        seen[fp] = seen.get(fp, 0) + 1
        location: dict = {"physicalLocation": {
            "artifactLocation": _sarif_uri(d.span.file),
            "region": {"startLine": start.line, "startColumn": start.column,
                       "endLine": end_line, "endColumn": end_col},
        }}
        if d.label:
            location["message"] = {"text": d.label}
        results.append({
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": d.severity,
            "message": {"text": _flat_message(d)},
            "locations": [location],
            # GitHub's own format is hash:occurrence; the counter keeps two
            # identical findings on identical lines apart.
            "partialFingerprints": {"primaryLocationLineHash": f"{fp}:{seen[fp]}"},
        })
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "corpusc",
                "version": tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_sarif_rule(c) for c in used],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- github actions ------------------------------------------------------------------

def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(diags: list[Diagnostic]) -> str:
    """Workflow commands (`::error file=...::msg`) that GitHub turns into
    annotations on the changed lines. GitHub rejects col/endColumn on a
    multi-line range, so those get lines only; endColumn is inclusive."""
    out = []
    for d in diags:
        start, end = d.span.start, d.span.end
        props = [("file", _relative_path(d.span.file)), ("line", start.line)]
        if end.line > start.line:
            props.append(("endLine", end.line))
        else:
            last = max(end.column - 1, start.column)
            props += [("col", start.column), ("endLine", start.line), ("endColumn", last)]
        title = f"{d.code} {CODES[d.code].title}" if d.code in CODES else d.code
        props.append(("title", title))
        head = ",".join(f"{k}={_gh_prop(str(v))}" for k, v in props)
        out.append(f"::{_GITHUB_COMMAND.get(d.severity, 'error')} {head}::{_gh_data(_flat_message(d))}\n")
    return "".join(out)
