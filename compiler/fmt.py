"""`corpusc fmt`: the one canonical layout of a .corpus file.

The formatter works on tokens, like gofmt: it refuses a file that does not
parse, re-tokenizes one that does, and prints the tokens again with canonical
whitespace. Token values are never changed, so the meaning cannot change:

* 2-space indentation per open `{`; `{` ends its line, `}` stands on its own
  line; a body is laid out one source line per line (newlines separate
  statements, so they are kept); an empty body prints as `{}`.
* Inside `[...]` and `(...)` newlines mean nothing: a group is printed on one
  line if the line fits in 100 columns and the group holds no comment,
  otherwise one item per line, one level deeper, with a trailing comma in
  lists (the grammar allows none in parentheses) and the closer back at the
  opening line's indentation.
* One space between tokens, none before `, : ) ]` or after `( [`, none around
  `..` and `.`, none between a function-like name and its `(`; a number keeps
  or drops the space before its unit as written (`5 min`, `2.1s`).
* Comments are kept: on their own line at the current indentation, or two
  spaces after the code they trail.
* Blank lines: runs collapse to one; none right after `{` or before `}`; one
  between top-level items when either spans several lines (a comment directly
  above an item belongs to it); none at the start or end of the file.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from corpusc.compiler import parse
from corpusc.diagnostics.model import Diagnostic, Sink

WIDTH = 100
INDENT = "  "

_TOKEN = re.compile(r"""
    (?P<NL>\r?\n)
  | (?P<WS>[ \t\f\r]+)
  | (?P<COMMENT>\#[^\n]*)
  | (?P<STRING>"(?:\\.|[^"\\\n])*")
  | (?P<DATE>\d{4}-\d{2}-\d{2})
  | (?P<TIME>\d{1,2}:\d{2}(?::\d{2})?)
  | (?P<PERCENT>\d+(?:\.\d+)?%)
  | (?P<NUMBER>-?\d+\.\d+)
  | (?P<INT>-?\d+)
  | (?P<NAME>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*)
  | (?P<OP>\.\.|->|>=|<=|==|!=|[<>={}\[\](),:.])
""", re.X)

_NUMERIC = ("INT", "NUMBER")
_NO_SPACE_BEFORE = {",", ":", ")", "]", "..", "."}
_NO_SPACE_AFTER = {"(", "[", "..", "."}
# words after which `(` opens a condition or a path list, not a call
_PAREN_KEYWORDS = {"by", "where", "and", "or", "not", "when", "in", "within", "covers"}
_CLOSER = {"[": "]", "(": ")"}


@dataclass
class Tok:
    kind: str  # NL, COMMENT, STRING, DATE, TIME, PERCENT, NUMBER, INT, NAME, OP
    text: str
    space: bool  # whitespace right before it on the same line
    offset: int


@dataclass
class Group:
    """A `[...]` or `(...)` with everything between (newlines and comments too)."""
    open: Tok
    close: Tok | None = None
    children: list = field(default_factory=list)


@dataclass
class _Item:
    elems: list = field(default_factory=list)
    leading: list[str] = field(default_factory=list)
    trailing: list[str] = field(default_factory=list)  # on the item's last line
    after: list[str] = field(default_factory=list)  # on their own lines after it


@dataclass
class _Split:
    open_comment: str | None
    items: list[_Item]
    dangling: list[str]


@dataclass
class _Line:
    depth: int
    phys: list[str]  # the physical lines, indentation included
    item: int | None  # top-level item this line belongs to; None for a top-level comment
    blank: bool = False  # a blank line before it
    opens: bool = False  # ends with `{` (and the body is not empty)


class FormatError(Exception):
    """The formatter could not lay the file out without changing its tokens (a bug)."""


# --------------------------------------------------------------------------
# public API

def format_text(text: str, file: str = "<stdin>") -> tuple[str | None, list[Diagnostic]]:
    """The canonical layout of `text`, or None and the syntax diagnostics when it
    does not parse. A leading BOM is dropped and CRLF becomes LF. Raises
    FormatError only on a formatter bug: the output is re-tokenized and must
    have the input's `signature`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    sink = Sink()
    parse.parse_text(file, text, sink)
    if sink.errors:
        return None, sink.sorted()
    text = text.replace("\r\n", "\n")
    out = _format(tokenize(text))
    if signature(out) != signature(text):
        raise FormatError(f"{file}: formatting would change the token sequence")
    return out, sink.sorted()


def unified_diff(old: str, new: str, file: str) -> str:
    """A unified diff from `old` to `new`, with `a/FILE` / `b/FILE` headers;
    empty when they are equal."""
    if old == new:
        return ""
    out = []
    for line in difflib.unified_diff(_split_lines(old), _split_lines(new),
                                     fromfile=f"a/{file}", tofile=f"b/{file}"):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _split_lines(s: str) -> list[str]:
    parts = s.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


# --------------------------------------------------------------------------
# tokens

def tokenize(text: str) -> list[Tok]:
    """The tokens of `text`, newlines and comments included, whitespace (a
    newline too) folded into the `space` flag of the token after it."""
    toks: list[Tok] = []
    pos = 0
    space = False
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise FormatError(f"unexpected character {text[pos]!r} at offset {pos}")
        kind = m.lastgroup
        pos = m.end()
        if kind == "WS":
            space = True
            continue
        toks.append(Tok(kind, m.group(), space, m.start()))
        space = kind == "NL"
    return toks


def signature(text: str) -> list[str]:
    """What formatting must preserve: the tokens except comments, a comma right
    before `]` dropped (a list's trailing comma is layout), and the statement
    separating newlines (outside brackets, collapsed, ignoring the optional
    ones right after `{` and before `}` and at either end of the file)."""
    out: list[str] = []
    depth = 0
    for t in tokenize(text.removeprefix("\ufeff").replace("\r\n", "\n")):
        if t.kind == "COMMENT":
            continue
        if t.kind == "NL":
            if depth == 0 and out and out[-1] not in ("\n", "{"):
                out.append("\n")
            continue
        if t.text in ("[", "("):
            depth += 1
        elif t.text in ("]", ")") and depth:
            depth -= 1
        if t.text == "]" and out and out[-1] == ",":
            out.pop()
        if t.text == "}" and out and out[-1] == "\n":
            out.pop()
        out.append(t.text)
    if out and out[-1] == "\n":
        out.pop()
    return out


def _group(toks: list[Tok]) -> list:
    """Nest the tokens of every `[...]` and `(...)` into a Group."""
    top: list = []
    stack: list[Group] = []
    for t in toks:
        if t.kind == "OP" and t.text in _CLOSER:
            g = Group(t)
            (stack[-1].children if stack else top).append(g)
            stack.append(g)
        elif t.kind == "OP" and t.text in ("]", ")") and stack:
            stack.pop().close = t
        else:
            (stack[-1].children if stack else top).append(t)
    if stack:
        raise FormatError("unbalanced brackets")
    return top


# --------------------------------------------------------------------------
# layout of one logical line

def _first(el) -> Tok:
    return el.open if isinstance(el, Group) else el


def _last(el) -> Tok:
    return el.close if isinstance(el, Group) else el


def _gap(a, b) -> str:
    """The whitespace between two neighbouring elements on one line."""
    at, bt = _last(a), _first(b)
    if bt.text in _NO_SPACE_BEFORE or at.text in _NO_SPACE_AFTER:
        return ""
    if at.text == "{" and bt.text == "}":
        return ""
    if bt.text == "(":
        return "" if at.kind == "NAME" and at.text not in _PAREN_KEYWORDS else " "
    if at.kind in _NUMERIC and bt.kind == "NAME":
        return " " if bt.space else ""
    return " "


def _flat_seq(elems: list) -> str | None:
    parts = []
    prev = None
    for el in elems:
        s = _flat(el)
        if s is None:
            return None
        parts.append((_gap(prev, el) if prev is not None else "") + s)
        prev = el
    return "".join(parts)


def _has_comment(g: Group) -> bool:
    return any((isinstance(c, Tok) and c.kind == "COMMENT") or
               (isinstance(c, Group) and _has_comment(c)) for c in g.children)


def _flat(el) -> str | None:
    """`el` on one line, or None if it holds a comment (which ends a line)."""
    if isinstance(el, Tok):
        return el.text
    if _has_comment(el):
        return None
    sp = _split(el)
    inner = [_flat_seq(it.elems) for it in sp.items]
    return el.open.text + ", ".join(inner) + el.close.text


def _split(g: Group) -> _Split:
    """The items of a group (split at its own commas) with their comments."""
    items: list[_Item] = []
    cur = _Item()
    open_comment = None
    prev = "open"  # what came last: "open", "comma" or "tok"
    nl = False  # a newline since then
    for c in g.children:
        if isinstance(c, Tok) and c.kind == "NL":
            nl = True
            continue
        if isinstance(c, Tok) and c.kind == "COMMENT":
            text = c.text.rstrip()
            if cur.elems:
                (cur.after if nl else cur.trailing).append(text)
            elif not nl and prev == "open" and open_comment is None:
                open_comment = text
            elif not nl and prev == "comma":
                items[-1].trailing.append(text)
            else:
                cur.leading.append(text)
            continue
        if isinstance(c, Tok) and c.text == ",":
            items.append(cur)
            cur = _Item()
            prev, nl = "comma", False
            continue
        cur.elems.append(c)
        prev, nl = "tok", False
    dangling: list[str] = []
    if cur.elems:
        items.append(cur)
    else:
        dangling = cur.leading
    return _Split(open_comment, items, dangling)


def _keep_flat(g, flat: str) -> bool:
    """A short group stays on one line even when its line is long (a long title
    string must not explode `distinct(accounts)` or `[won, lost]`)."""
    return len(flat) <= 60 and len(_split(g).items) <= 6


class _Printer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def seq(self, elems: list, cur: str, ind: str, suffix: int = 0) -> str:
        """Append `elems` to the line `cur` (indented `ind`); completed lines go
        to self.lines and the unfinished last line is returned."""
        prev = None
        for i, el in enumerate(elems):
            gap = _gap(prev, el) if prev is not None else ""
            prev = el
            if isinstance(el, Tok):
                cur += gap + el.text
                continue
            flat = _flat(el)
            if flat is not None:
                tail = self._tail(elems[i + 1:], el, suffix)
                if len(cur) + len(gap) + len(flat) + tail <= WIDTH or _keep_flat(el, flat):
                    cur += gap + flat
                    continue
            cur = self.explode(el, cur + gap, ind)
        return cur

    @staticmethod
    def _tail(rest: list, prev, suffix: int) -> int:
        """Columns that must follow a group on its line: up to the next group's opener."""
        n = 0
        for el in rest:
            n += len(_gap(prev, el)) + len(_first(el).text)
            if isinstance(el, Group):
                return n
            prev = el
        return n + suffix

    def explode(self, g: Group, cur: str, ind: str) -> str:
        sp = _split(g)
        inner = ind + INDENT
        cur += g.open.text
        if sp.open_comment:
            cur += "  " + sp.open_comment
        self.lines.append(cur)
        is_list = g.open.text == "["
        for i, it in enumerate(sp.items):
            for c in it.leading:
                self.lines.append(inner + c)
            comma = is_list or i < len(sp.items) - 1
            cur = self.seq(it.elems, inner, inner, suffix=1 if comma else 0)
            if comma:
                cur += ","
            if it.trailing:
                cur += "  " + it.trailing[0]
            self.lines.append(cur)
            for c in it.trailing[1:] + it.after:
                self.lines.append(inner + c)
        for c in sp.dangling:
            self.lines.append(inner + c)
        return ind + g.close.text


def _render(elems: list, depth: int, comment: str | None) -> list[str]:
    ind = INDENT * depth
    p = _Printer()
    last = p.seq(elems, ind, ind)
    if comment:
        last += "  " + comment
    p.lines.append(last)
    return [ln.rstrip() for ln in p.lines]


# --------------------------------------------------------------------------
# layout of the file

def _format(toks: list[Tok]) -> str:
    stream = _group(toks)
    lines: list[_Line] = []
    depth = 0
    item = 0
    buf: list = []
    blank = False  # a blank source line is pending
    attach = False  # a comment now would trail the last emitted line
    prev_nl = True  # the previous element was a newline (or the file start)

    def emit(phys: list[str], *, code: bool, closing: bool = False, opens: bool = False) -> None:
        nonlocal blank, item
        if depth == 0 and code and not closing:
            item += 1
        it = item if (code or depth > 0) else None
        b = blank and bool(lines) and not lines[-1].opens and not closing
        lines.append(_Line(depth, phys, it, b, opens))
        blank = False

    def flush(comment: str | None = None, *, opens: bool = False) -> None:
        nonlocal buf
        emit(_render(buf, depth, comment), code=True, opens=opens)
        buf = []

    i = 0
    while i < len(stream):
        el = stream[i]
        i += 1
        if isinstance(el, Group):
            buf.append(el)
            prev_nl = False
            continue
        if el.kind == "NL":
            if buf:
                flush()
            if prev_nl and lines:
                blank = True
            prev_nl = True
            attach = False
            continue
        prev_nl = False
        if el.kind == "COMMENT":
            text = el.text.rstrip()
            if buf:
                flush(text)
            elif attach and lines:
                lines[-1].phys[-1] += "  " + text
            else:
                emit([INDENT * depth + text], code=False)
            attach = False
            continue
        if el.kind == "OP" and el.text == "{":
            buf.append(el)
            j = i
            while j < len(stream) and isinstance(stream[j], Tok) and stream[j].kind == "NL":
                j += 1
            if j < len(stream) and isinstance(stream[j], Tok) and stream[j].kind == "OP" \
                    and stream[j].text == "}":
                buf.append(stream[j])  # an empty body: `{}`
                i = j + 1
                continue
            flush(opens=True)
            depth += 1
            attach = True
            continue
        if el.kind == "OP" and el.text == "}":
            if buf:
                flush()
            depth -= 1
            emit([INDENT * depth + "}"], code=True, closing=True)
            attach = True
            continue
        buf.append(el)
    if buf:
        flush()

    _top_level_blanks(lines)
    out: list[str] = []
    for ln in lines:
        if ln.blank and out:
            out.append("")
        out.extend(ln.phys)
    return "\n".join(out) + "\n" if out else ""


def _top_level_blanks(lines: list[_Line]) -> None:
    """One blank line around every top-level item that spans several lines; a
    comment directly above an item goes with it."""
    size: dict[int, int] = {}
    for ln in lines:
        if ln.item is not None:
            size[ln.item] = size.get(ln.item, 0) + len(ln.phys)
    seen: set[int] = set()
    for s, ln in enumerate(lines):
        if ln.depth != 0 or s == 0:
            if ln.item is not None:
                seen.add(ln.item)
            continue
        starts_item = ln.item is not None and ln.item not in seen
        is_comment = ln.item is None
        if not (starts_item or is_comment):
            continue
        if ln.item is not None:
            seen.add(ln.item)
        before = lines[s - 1].item
        if before is not None and before != ln.item and size[before] > 1:
            ln.blank = True
        if starts_item and size[ln.item] > 1:
            k = s
            while k > 0 and lines[k - 1].item is None and lines[k - 1].depth == 0 \
                    and not lines[k].blank:
                k -= 1
            if k > 0:
                lines[k].blank = True
