"""Text -> syntax tree, with every syntax error reported and recovery at
top-level block boundaries.

Recovery is deliberately simple: when the parser fails, the top-level block
that contains the failure is blanked out (newlines kept, so every position
stays true) and the file is parsed again. Each round reports one more error.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from corpusc.diagnostics.model import Pos, Sink, Span
from corpusc.compiler.paths import GRAMMAR

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 32
# Lists, parentheses and `not` chains nest the syntax tree, and the tree is
# walked by recursion (lark's Transformer, the checker, the evaluator of
# conditions): the cap keeps every walk far below Python's recursion limit,
# and no real spec nests a list or a condition more than a few levels.
MAX_NESTING = 32
MAX_SYNTAX_ERRORS = 25

TOP_LEVEL = ("corpus", "use", "persona", "objection", "industry", "size", "stage", "scenario", "rep",
             "agent", "account", "population", "require", "expect", "suite", "emit")
_BOUNDARY = re.compile(r"^(?:%s)\b" % "|".join(TOP_LEVEL), re.M)

TERMINAL_NAMES = {
    "NAME": "a name", "STRING": "a string", "INT": "an integer", "NUMBER": "a number",
    "PERCENT": "a percentage", "DATE": "a date (YYYY-MM-DD)", "TIME": "a time (HH:MM)",
    "UNIT": "a unit", "_NL": "end of line", "LBRACE": "`{`", "RBRACE": "`}`", "LSQB": "`[`",
    "RSQB": "`]`", "LPAR": "`(`", "RPAR": "`)`", "COMMA": "`,`", "COLON": "`:`", "DOT": "`.`",
    "EQUAL": "`=`", "RANGE": "`..`", "ARROW": "`->`", "CMP": "a comparison (>=, ==, ...)",
    "$END": "end of file",
}


class DepthError(Exception):
    """`kind` is "blocks" (`{ }`, E0006) or "nesting" (lists, parentheses,
    `not`, E1005)."""

    def __init__(self, token: Token, kind: str = "blocks"):
        self.token = token
        self.kind = kind


class _PostLex:
    """Newlines end statements, except inside (...) and [...]; runs of newlines
    collapse to one; brace nesting and the nesting of lists, parentheses and
    `not` are capped so nothing downstream recurses deep."""

    always_accept = ("_NL",)

    def process(self, stream):
        depth = 0
        braces = 0
        nots = [0]  # the `not`s in front of what comes next, per open `(`/`[` (each one nests the tree)
        last_nl = True
        for tok in stream:
            t = tok.type
            if t == "_NL":
                if depth == 0 and not last_nl:
                    last_nl = True
                    yield tok
                continue
            if t == "NOT":
                nots[-1] += 1
            elif t in ("LSQB", "LPAR"):
                depth += 1
                nots.append(0)
            elif t in ("RSQB", "RPAR") and depth:
                depth -= 1
                nots.pop()
                nots[-1] = 0
            else:
                nots[-1] = 0
                if t == "LBRACE":
                    braces += 1
                    if braces > MAX_DEPTH:
                        raise DepthError(tok)
                elif t == "RBRACE" and braces:
                    braces -= 1
            if depth + sum(nots) > MAX_NESTING:
                raise DepthError(tok, "nesting")
            last_nl = False
            yield tok


@lru_cache(maxsize=1)
def parser() -> Lark:
    return Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                propagate_positions=True, maybe_placeholders=True, postlex=_PostLex(),
                cache=True)


def inline_parser(transformer) -> Lark:
    """A parser that hands each rule's children to `transformer` as it reduces
    the rule, so no syntax tree is built (the tree of a large spec took more
    memory than its AST, and building it about as long as the parse)."""
    return Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                maybe_placeholders=True, postlex=_PostLex(), cache=True, transformer=transformer)


def span_at(file: str, text: str, offset: int, length: int = 1) -> Span:
    offset = max(0, min(offset, len(text)))
    end = max(offset, min(offset + length, len(text)))
    return Span(file=file, start=_pos(text, offset), end=_pos(text, end))


def _pos(text: str, offset: int) -> Pos:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Pos(line=line, column=col, offset=offset)


def decode(file: str, data: bytes, sink: Sink) -> str | None:
    """Bytes -> text, or a diagnostic for what a spec file must not be."""
    if len(data) > MAX_BYTES:
        sink.add("E0005", f"file is too large ({len(data) / 1048576:.1f} MB)", Span.point(file),
                 label="spec files are limited to 5 MB",
                 help="split the spec into modules with `use \"./part.corpus\"`, or describe bulk "
                      "calls with a `population` block instead of listing them")
        return None
    nul = data.find(b"\x00")
    if nul >= 0:
        sink.add("E0003", "file is binary, not a .corpus text file",
                 span_at(file, data[:nul].decode("utf-8", "replace"), nul),
                 label="NUL byte here", help="a .corpus spec is UTF-8 text; check the path")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        good = data[:e.start].decode("utf-8", "replace")
        sink.add("E0003", f"file is not valid UTF-8 (byte 0x{data[e.start]:02x})",
                 span_at(file, good, len(good)), label="invalid byte here",
                 help="save the file as UTF-8")
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def is_blank(text: str) -> bool:
    return all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines())


def parse_text(file: str, text: str, sink: Sink, parse=None) -> Tree | None:
    """Parse, recovering at top-level blocks; returns the tree of what parsed
    (or what `parse(text)`, a parser with a transformer, makes of it)."""
    work = text if text.endswith("\n") else text + "\n"
    parse = parse or parser().parse
    for _ in range(MAX_SYNTAX_ERRORS + 1):
        try:
            return parse(work)
        except DepthError as e:
            if e.kind == "nesting":
                sink.add("E1005", f"lists, parentheses or `not` are nested more than {MAX_NESTING} deep",
                         span_at(file, text, e.token.start_pos, len(e.token.value)), label="too deep here",
                         help=f"nest lists and conditions at most {MAX_NESTING} levels deep; a list of "
                              "values is written flat, `[a, b, c]`, and `not not x` is `x`")
            else:
                sink.add("E0006", f"blocks are nested more than {MAX_DEPTH} deep",
                         span_at(file, text, e.token.start_pos), label="too deep here",
                         help="a .corpus spec needs only a few levels of `{ }`; close the blocks above")
            off = e.token.start_pos
        except UnexpectedInput as e:
            off = _error_offset(work, e)
            unclosed = _unclosed_before_boundary(work, off)
            if unclosed is not None:
                # a top-level keyword at column 1 inside a block: the block above is not closed
                brace, boundary = unclosed
                sink.add("E0001", "block is not closed", span_at(file, text, brace),
                         label="this `{` has no matching `}`",
                         help="add the missing `}` before the next top-level declaration",
                         notes=[f"the next declaration starts at line {work.count(chr(10), 0, boundary) + 1}"])
                start = _block_start(work, brace)
                new = work[:start] + re.sub(r"[^\n]", " ", work[start:boundary]) + work[boundary:]
                if new == work:
                    return None
                work = new
                continue
            off = _report(file, text, work, e, sink)
        new = _blank_block(work, off)
        if new == work:
            return None
        work = new
        if is_blank(work):
            return None
    return None


def _error_offset(work: str, e: UnexpectedInput) -> int:
    if isinstance(e, UnexpectedToken) and e.token.type != "$END":
        return e.token.start_pos
    if isinstance(e, UnexpectedCharacters):
        return e.pos_in_stream
    return len(work)


def _block_start(work: str, off: int) -> int:
    start = 0
    for m in _BOUNDARY.finditer(work):
        if m.start() > off:
            break
        start = m.start()
    return start


def _unclosed_before_boundary(work: str, off: int) -> tuple[int, int] | None:
    """If a top-level keyword line lies between an unclosed `{` and the error,
    return (offset of that brace, offset of the boundary)."""
    line_start = work.rfind("\n", 0, off) + 1
    boundary = None
    for m in _BOUNDARY.finditer(work):
        if m.start() > line_start:
            break
        boundary = m.start()
    if boundary is None or boundary == 0:
        return None
    brace = _unclosed_brace(work[:boundary])
    if brace is None:
        return None
    return brace, boundary


def _blank_block(work: str, off: int) -> str:
    line_start = work.rfind("\n", 0, off) + 1
    start = 0
    for m in _BOUNDARY.finditer(work, 0, line_start + 1):
        start = m.start()
    nxt = _BOUNDARY.search(work, line_start + 1 if work[line_start:line_start + 1] else line_start)
    end = nxt.start() if nxt and nxt.start() > off else len(work)
    if nxt and nxt.start() <= off:
        # the failing line itself is a boundary: blank to the one after it
        nxt2 = _BOUNDARY.search(work, off + 1)
        end = nxt2.start() if nxt2 else len(work)
    region = re.sub(r"[^\n]", " ", work[start:end])
    return work[:start] + region + work[end:]


def _expected(names) -> str:
    nice = sorted({TERMINAL_NAMES.get(n, f"`{n.lower()}`") for n in names if n != "WS"})
    if len(nice) > 8:
        nice = nice[:8] + ["..."]
    return ", ".join(nice)


def _report(file: str, text: str, work: str, e: UnexpectedInput, sink: Sink) -> int:
    if isinstance(e, UnexpectedCharacters):
        off = e.pos_in_stream
        ch = work[off] if off < len(work) else ""
        if ch == '"':
            sink.add("E0002", "unterminated string", span_at(file, text, off),
                     label="this string is never closed",
                     help='close the string with `"` on the same line; strings cannot span lines')
        else:
            shown = ch if ch.isprintable() else repr(ch)
            prev = work[max(0, off - 4):off]
            if ch == "-" and prev[-1:].isdigit():
                hint = "dates are written YYYY-MM-DD with two-digit month and day"
            elif e.allowed and len(e.allowed) <= 4:
                hint = f"expected {_expected(e.allowed)}"
            else:
                hint = "remove it; see docs/language.md for what may appear here"
            sink.add("E0002", f"unexpected character `{shown}`", span_at(file, text, off),
                     label="not part of the language", help=hint)
        return off
    if isinstance(e, UnexpectedEOF):
        off = len(text)
        _eof(file, text, off, e.expected, sink)
        return off
    assert isinstance(e, UnexpectedToken)
    tok = e.token
    expected = e.expected
    if e.interactive_parser is not None:
        try:
            expected = e.interactive_parser.accepts() or expected
        except Exception:  # noqa: BLE001 - only a nicer message is lost
            pass
    if tok.type == "$END":
        off = len(text)
        _eof(file, text, off, expected, sink)
        return off
    off = tok.start_pos
    if tok.type == "_NL":
        sink.add("E0001", "unexpected end of line", span_at(file, text, off, 0),
                 label="the statement is incomplete", help=f"expected {_expected(expected)}")
        return off
    what = tok.value if tok.type != "_NL" else "end of line"
    sink.add("E0001", f"unexpected `{what}`", span_at(file, text, off, max(1, len(tok.value))),
             label=f"expected {_expected(expected)}", help=_hint(tok, expected))
    return off


def _hint(tok: Token, expected) -> str:
    exp = set(expected)
    if "RBRACE" in exp and tok.type in ("ACCOUNT", "POPULATION", "CORPUS", "NAME"):
        return "a block above is missing its closing `}`"
    if exp <= {"_NL", "RBRACE"}:
        return "the statement ends before this; put what follows on its own line or remove it"
    if tok.type == "NAME" and "STRING" in exp:
        return "display names and titles are written in double quotes"
    return "see docs/language.md for the statement's syntax"


def _eof(file: str, text: str, off: int, expected, sink: Sink) -> None:
    opened = _unclosed_brace(text)
    if opened is not None:
        sink.add("E0001", "unexpected end of file: a block is not closed", span_at(file, text, opened),
                 label="this `{` has no matching `}`", help="add the missing `}`")
    else:
        sink.add("E0001", "unexpected end of file", span_at(file, text, off, 0),
                 label=f"expected {_expected(expected)}", help="the last statement is incomplete")


def _unclosed_brace(text: str) -> int | None:
    stack = []
    for m in re.finditer(r'"(?:\\.|[^"\\\n])*"|#[^\n]*|[{}]', text):
        s = m.group()
        if s == "{":
            stack.append(m.start())
        elif s == "}" and stack:
            stack.pop()
    return stack[-1] if stack else None
