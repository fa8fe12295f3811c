"""The two timelines of a call. `<call_id>.wav.json` is the speech-analytics
shape (PAYLOADS.md, SA): C1/C2 with `metadata.smoothed` segments, C1 carrying
the call header as typed values. `<call_id>.timeline.json` is corpusc's own:
per-turn and per-word times, the holds, pauses and overlaps that verify
checks against the signal. Seconds are rounded to 3 decimals."""

from __future__ import annotations

import json
import re
from typing import Any

from corpusc.plan.model import Call

from corpusc.backends.header import call_header
from corpusc.render.model import RenderedCall

_PUNCT = re.compile(r"[^\w\s'’-]+|(?<!\w)['’-]|['’-](?!\w)")


def normalized(text: str) -> str:
    """The spoken form a recognizer would give: lower case, no punctuation."""
    return " ".join(_PUNCT.sub(" ", text).lower().split())


def channel_of(side: str) -> int:
    return 0 if side == "seller" else 1


def _r(x: float) -> float:
    return round(float(x) + 0.0, 3)


def wav_json(call: Call, rc: RenderedCall, stypes: dict[str, str],
             holds: list[tuple[float, float]] = (), head: dict[str, Any] | None = None) -> dict[str, Any]:
    """`head`: the C1 keys (default: `call_header`; the Spitch profile passes its own)."""
    segs: list[list[dict]] = [[], []]
    for t in rc.turns:
        ch = channel_of(t.side)
        segs[ch].append({"start": _r(t.start), "end": _r(t.end), "cid": f"C{ch + 1}", "text": normalized(t.text),
                         "denormalized": t.text, "stype": stypes.get(t.speaker, "male")})
    for h0, h1 in holds:
        segs[0].append({"start": _r(h0), "end": _r(h1), "cid": "C1", "text": "hold music",
                        "denormalized": "hold music", "stype": "music"})
    for s in segs:
        s.sort(key=lambda x: (x["start"], x["end"]))
    c1: dict[str, Any] = {"cid": "1", "metadata": {"smoothed": segs[0]}}
    for k, v in (call_header(call) if head is None else head).items():
        c1.setdefault(k, v)
    return {"C1": c1, "C2": {"cid": "2", "metadata": {"smoothed": segs[1]}}}


def dumps(doc: dict) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
