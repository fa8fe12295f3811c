"""The plain-text layout of a RenderedCall: the txt transcript and the offsets
the ground truth quotes into it. It lives beside the model so both backends
use one definition and neither imports the other."""

from __future__ import annotations

from corpusc.plan.model import Call
from corpusc.render.model import RenderedCall

# one character in, one character out: txt keeps every turn's text offsets
_LINE_BREAKS = {ord(c): " " for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


def one_line(text: str) -> str:
    """The text on one line, character for character (offsets unchanged)."""
    return text.translate(_LINE_BREAKS)


def txt_layout(call: Call, rc: RenderedCall) -> tuple[str, list[int]]:
    """The txt transcript and, per turn (in `rc.turns` order), the offset in
    it (code points) where that turn's `text` begins: `txt[off + s:off + e]
    == turn.text[s:e]` (line breaks inside a turn are written as one space)."""
    head = [rc.call_id, f"{call.date} {call.time[:5]} {call.timezone}"]
    if call.stage:
        head.append(call.stage)
    people = [f"{p.name} ({p.role})" if p.role else p.name for p in call.participants]
    out = ["# " + " · ".join(head) + "\n", "# " + " · ".join(people) + "\n", "\n"]
    pos = sum(len(s) for s in out)
    offsets = []
    for t in rc.turns:
        label = one_line(t.name) + ": " + "".join(f"[{one_line(c)}] " for c in t.cues)
        offsets.append(pos + len(label))
        line = label + one_line(t.text) + "\n"
        out.append(line)
        pos += len(line)
    return "".join(out), offsets
