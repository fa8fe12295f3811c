"""Every span unit a prediction may use, converted into the ground truth's:
a range of turns and, when the prediction is that precise, characters within
one turn's line of the txt transcript. Transcript files are read only to map
units (which turn holds this offset, this time, this quote), never to label."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from corpusc.score.predictions import Span
from corpusc.score.truth import CallTruth

_TIMING = re.compile(r"(\d+):(\d\d):(\d\d)[.,](\d{3})\s+-->\s+(\d+):(\d\d):(\d\d)[.,](\d{3})")


@dataclass(slots=True, frozen=True)
class Where:
    lo: int  # first turn
    hi: int  # last turn (inclusive)
    start: int | None = None  # characters in turn `lo`'s txt line (only when lo == hi)
    end: int | None = None


class SpanError(ValueError):
    """The span points outside the call (a turn it lacks, an offset past its end, a quote it doesn't contain)."""


def resolve(span: Span, ct: CallTruth, files: "Files") -> Where:
    lines = ct.lines()
    n = len(lines)
    if span.quote is not None:
        return _quote(span, ct, lines)
    if span.turn is not None:
        if span.turn >= n:
            raise SpanError(f"turn {span.turn} is past the call's last turn ({n - 1})")
        if span.in_ == "turn":
            base, line = lines[span.turn]
            text_at = files.text_start(ct, span.turn)
            if span.end > len(line) - text_at:
                raise SpanError(f"characters {span.start}..{span.end} run past turn {span.turn}'s text "
                                f"({len(line) - text_at} characters)")
            return Where(span.turn, span.turn, text_at + span.start, text_at + span.end)
        return Where(span.turn, span.turn)
    if span.turns is not None:
        lo, hi = span.turns
        if hi >= n:
            raise SpanError(f"turns {lo}..{hi} run past the call's last turn ({n - 1})")
        return Where(lo, hi)
    if span.time is not None:
        return _times(span.time, files.times(ct), ct.call_id)
    if span.in_ == "txt":
        return _txt(span.start, span.end, lines)
    blocks = files.subtitles(ct, span.in_)
    hit = [(t0, t1) for (a, b, t0, t1) in blocks if a < span.end and span.start < b] or \
          [(t0, t1) for (a, b, t0, t1) in blocks if a <= span.start <= b]
    if not hit:
        raise SpanError(f"characters {span.start}..{span.end} are outside every cue of the {span.in_} file")
    return _times((min(h[0] for h in hit), max(h[1] for h in hit)), files.times(ct), ct.call_id)


def _txt(start: int, end: int, lines: list[tuple[int, str]]) -> Where:
    turns = [k for k, (off, line) in enumerate(lines) if off < end and start < off + len(line) + 1]
    if not turns:
        raise SpanError(f"characters {start}..{end} are outside every turn of the txt transcript")
    lo, hi = turns[0], turns[-1]
    if lo == hi:
        off, line = lines[lo]
        return Where(lo, lo, max(0, start - off), min(len(line), end - off))
    return Where(lo, hi)


def _quote(span: Span, ct: CallTruth, lines: list[tuple[int, str]]) -> Where:
    order = [span.turn] if span.turn is not None else range(len(lines))
    if span.turn is not None and span.turn >= len(lines):
        raise SpanError(f"turn {span.turn} is past the call's last turn ({len(lines) - 1})")
    for k in order:
        i = lines[k][1].find(span.quote)
        if i >= 0:
            return Where(k, k, i, i + len(span.quote))
    where = f"turn {span.turn}" if span.turn is not None else "the call"
    raise SpanError(f"the quote {span.quote[:40]!r} is not in {where}")


def _times(t: tuple[float, float], times: list[tuple[float, float]], call_id: str) -> Where:
    t0, t1 = t
    if not times or t0 > times[-1][1] + 1.0:
        raise SpanError(f"time {t0:.2f}..{t1:.2f} s is after the end of {call_id}")
    best = [k for k, (a, b) in enumerate(times) if a < t1 and t0 < b]
    if not best:  # a point or a gap: the turn that ends nearest before
        best = [max((k for k, (a, _) in enumerate(times) if a <= t0), default=0)]
    return Where(best[0], best[-1])


class Files:
    """Transcript files read on demand and kept per call (only while that call
    is scored: the scorer asks for one call at a time)."""

    def __init__(self) -> None:
        self._times: dict[str, list[tuple[float, float]]] = {}
        self._subs: dict[tuple[str, str], list[tuple[int, int, float, float]]] = {}
        self._text: dict[str, list[str]] = {}

    def forget(self) -> None:
        self._times.clear()
        self._subs.clear()
        self._text.clear()

    def _json(self, ct: CallTruth) -> dict:
        path = os.path.join(ct.folder, "transcripts", ct.call_id + ".json")
        try:
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            raise SpanError(f"time and `in: turn` spans need the json transcript ({path}); "
                            "add `json` to the spec's transcript formats") from None

    def times(self, ct: CallTruth) -> list[tuple[float, float]]:
        got = self._times.get(ct.call_id)
        if got is None:
            doc = self._json(ct)
            got = self._times[ct.call_id] = [(float(t["start"]), float(t["end"])) for t in doc["turns"]]
            self._text[ct.call_id] = [t["text"] for t in doc["turns"]]
        return got

    def text_start(self, ct: CallTruth, turn: int) -> int:
        """Where turn `turn`'s words begin in its txt line (after the name and cues)."""
        self.times(ct)
        words = self._text[ct.call_id][turn]
        line = ct.lines()[turn][1]
        i = line.find(words[:40]) if words else -1
        if i < 0:
            raise SpanError(f"turn {turn}'s text is not on its txt line; was the transcript edited? "
                            "(`corpusc verify` says)")
        return i

    def subtitles(self, ct: CallTruth, kind: str) -> list[tuple[int, int, float, float]]:
        """(first char, end char, from s, to s) of each cue's text in the vtt/srt file."""
        key = (ct.call_id, kind)
        got = self._subs.get(key)
        if got is not None:
            return got
        path = os.path.join(ct.folder, "transcripts", f"{ct.call_id}.{kind}")
        try:
            with open(path, encoding="utf-8", newline="") as f:
                text = f.read()
        except FileNotFoundError:
            raise SpanError(f"a span `in: {kind}` needs {path}; add `{kind}` to the spec's transcript formats") \
                from None
        got = []
        for m in _TIMING.finditer(text):
            g = [int(x) for x in m.groups()]
            t0 = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
            t1 = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
            a = text.find("\n", m.end()) + 1
            b = text.find("\n\n", a)
            got.append((a, len(text) if b < 0 else b, t0, t1))
        self._subs[key] = got
        return got
