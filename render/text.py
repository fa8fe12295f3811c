"""The plain-text layout of a RenderedCall: the txt transcript and the offsets
the ground truth quotes into it. It lives beside the model so both backends
use one definition and neither imports the other."""

from __future__ import annotations

import re
from functools import lru_cache

from corpusc.plan.model import Call
from corpusc.render.model import RenderedCall, Turn

# one character in, one character out: txt keeps every turn's text offsets
_LINE_BREAKS = {ord(c): " " for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}
# str.translate with a dict costs some 5 µs a turn; most texts hold no line
# break, which `in` (ASCII text) or a search finds out several times faster
_ASCII_BREAKS = tuple(c for c in map(chr, _LINE_BREAKS) if c.isascii())
_ANY_BREAK = re.compile("[" + "".join(map(chr, _LINE_BREAKS)) + "]").search


def one_line(text: str) -> str:
    """The text on one line, character for character (offsets unchanged)."""
    if text.isascii():
        for c in _ASCII_BREAKS:
            if c in text:
                return text.translate(_LINE_BREAKS)
        return text
    return text.translate(_LINE_BREAKS) if _ANY_BREAK(text) else text


# the call's own timing written as a cue: a hold, a silence, a long pause (`hold 20.0s`, `2.1s pause`)
WAIT = re.compile(r"^(?:(?P<kind>hold|silence) (?P<s>\d+(?:\.\d+)?)s|(?P<p>\d+(?:\.\d+)?)s pause)$")


def typed(call: Call, t: Turn) -> Turn:
    """A turn as its transcript writes it. A chat is typed: its waits (the
    planned hold, the silences, a long pause) are time between messages, seen
    in their timestamps, never a cue in the text; the agent's typed messages
    say the hold ("one moment, I'll check"). A call's turn is written as it is."""
    if call.medium != "chat" or not t.cues or not any(WAIT.match(c) for c in t.cues):
        return t
    kept = [(c, a) for c, a in t.placed() if not WAIT.match(c)]
    return t.model_copy(update={"cues": [c for c, _ in kept], "cue_at": [a for _, a in kept] if t.cue_at else []})


def waits(t: Turn) -> list[dict]:
    """A turn's waits as data (`{"kind": "hold", "seconds": 20.0}`): what a
    chat's transcript JSON carries in place of the cues `typed` leaves out."""
    out = []
    for c in t.cues:
        m = WAIT.match(c)
        if m:
            out.append({"kind": m.group("kind") or "pause", "seconds": float(m.group("s") or m.group("p"))})
    return out


def inline(t: Turn) -> tuple[str, str]:
    """A turn as written: the cues that open it (`[hesitant] `) and its text
    with each mid-turn cue written in place, just before the words it annotates."""
    head, mid = "", []
    for c, at in t.placed():
        if at <= 0:
            head += f"[{one_line(c)}] "
        else:
            mid.append((at, f"[{one_line(c)}] "))
    text = one_line(t.text)
    if mid:
        out, last = [], 0
        for at in sorted({a for a, _ in mid}):
            out += [text[last:at], "".join(m for a, m in mid if a == at)]
            last = at
        out.append(text[last:])
        text = "".join(out)
    return head, text


def shift(t: Turn, i: int, end: bool = False) -> int:
    """Where character `i` of `t.text` lands in the written turn text: after
    the mid-turn cues written before it (a span's end stays before a cue at it)."""
    if not t.cue_at:  # every cue at the turn's start (most turns): the ground truth asks for every span
        return i
    return i + sum(len(c) + 3 for c, at in t.placed() if 0 < at and (at < i if end else at <= i))  # one_line keeps lengths


# the layout of the last call laid out: the txt backend and the ground truth
# ask for the same (call, rendering), one after the other
_LAST: list = [None, None, None]


def txt_layout(call: Call, rc: RenderedCall) -> tuple[str, list[int]]:
    """The txt transcript and, per turn (in `rc.turns` order), the offset in
    it (code points) where that turn's `text` begins: `txt[off + shift(s):off +
    shift(e, end)] == turn.text[s:e]` for a span no mid-turn cue falls inside
    (line breaks inside a turn are written as one space). The offsets are
    shared with the next caller for the same objects: read, never changed."""
    last = _LAST
    if last[0] is call and last[1] is rc:
        return last[2]
    last[:] = call, rc, _layout(call, rc)
    return last[2]


def _person(locale: str, p) -> str:
    """A participant as the txt header names them: the name, then the role in the call's language (the
    lexicon's `roles`, by gender; a job title as `role_titles` says it; else as written), once where the
    name is the role's own word (a caller known only as "Anruferin")."""
    if not p.role:
        return p.name
    lex = _lexicon(locale)
    forms = lex.roles.get(p.role) if lex is not None else None
    role = (forms.get(p.gender) or forms.get("*") or p.role) if forms else \
        (lex.role_titles.get(p.role, p.role) if lex is not None else p.role)
    return p.name if role == p.name else f"{p.name} ({role})"


@lru_cache(maxsize=None)
def _lexicon(locale: str):
    """The locale's lexicon (None: the locale has none; its header keeps the roles as written)."""
    from corpusc.render.template.lexicon import LEXICON_FILE, PHRASES, load_lexicon
    return load_lexicon(locale) if (PHRASES / locale / LEXICON_FILE).is_file() else None


def _layout(call: Call, rc: RenderedCall) -> tuple[str, list[int]]:
    head = [rc.call_id, f"{call.date} {call.time[:5]} {call.timezone}"]
    if call.stage:
        head.append(call.stage)
    people = [_person(call.locale, p) for p in call.participants]
    out = ["# " + " · ".join(head) + "\n", "# " + " · ".join(people) + "\n", "\n"]
    pos = sum(len(s) for s in out)
    offsets = []
    chat = call.medium == "chat"
    for t in rc.turns:
        cues, text = inline(typed(call, t) if chat else t)
        label = one_line(t.name) + ": " + cues
        offsets.append(pos + len(label))
        line = label + text + "\n"
        out.append(line)
        pos += len(line)
    return "".join(out), offsets
