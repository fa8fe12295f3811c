"""The timing model shared by every renderer and the audio backend: how fast
each participant speaks and where each turn starts and ends. One model, so a
transcript's timestamps and the audio's words cannot disagree."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from corpusc.plan.model import Call, Header
from corpusc.render.cues import delivery

DEFAULT_WPM = 150.0
WORDS_PER_SEC = DEFAULT_WPM / 60  # the length target: total words = duration x 150 wpm
GAP = 0.4  # seconds between two turns
OVERLAP = 0.3  # seconds an interrupting turn starts before the previous one ends


def pause(cues: Sequence[str]) -> float:
    """Seconds of time before a turn (`2.1s pause`, `hold 20.0s`, `silence
    3.5s`), read by the same parser the audio backend uses."""
    d = delivery(cues)
    return d.pause + d.hold


def speaker_rates(call: Call, header: Header) -> dict[str, float]:
    """Words per minute of each participant: the persona's `speech.rate_wpm`, else 150."""
    personas = header.personas
    out = {}
    for p in call.participants:
        rate = DEFAULT_WPM
        if p.persona and p.persona in personas:
            rate = float((personas[p.persona].get("speech") or {}).get("rate_wpm") or DEFAULT_WPM)
        out[p.id] = rate
    return out


def timing(turns: Iterable[Any], call: Call, header: Header) -> list[tuple[float, float]]:
    """Start and end (seconds) of each turn: words at the speaker's rate, a
    pause cue's seconds before the turn, a 0.4 s gap between turns; a turn
    cued INTERRUPTS starts 0.3 s before the previous one ends. Works on any
    objects with `.text`, `.cues` and `.speaker` (rendered turns included)."""
    rates = speaker_rates(call, header)
    out: list[tuple[float, float]] = []
    prev_start = prev_end = 0.0
    for i, t in enumerate(turns):
        words = len(t.text.split())
        dur = words * 60.0 / rates.get(t.speaker, DEFAULT_WPM)
        cues = t.cues
        gap = pause(cues) if cues else 0.0
        if i == 0:
            start = gap
        elif cues and "INTERRUPTS" in cues:
            start = max(prev_start, prev_end - OVERLAP)
        else:
            start = prev_end + GAP + gap
        end = start + dur
        out.append((round(start, 3), round(end, 3)))
        prev_start, prev_end = start, max(end, prev_end)
    return out
