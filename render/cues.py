"""Inline cues -> how a turn is delivered. Cues come from a spec's moments and
the contact-center engine, so parsing is lenient (case, spacing, `2s` or
`2.0 sec`); an unknown cue (`lean_forward`, `note_taking`) changes nothing audible."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

_NUM = r"(\d+(?:[.,]\d+)?)"
_SEC = r"\s*s(?:ec(?:onds?)?)?\.?"
PAUSE = re.compile(rf"^{_NUM}{_SEC}\s+pause$", re.I)
HOLD = re.compile(rf"^hold\s+{_NUM}(?:{_SEC})?$", re.I)
SILENCE = re.compile(rf"^silence\s+{_NUM}(?:{_SEC})?$", re.I)
KEYED = re.compile(r"^(energy|pitch)\s*[:=]\s*([a-z_]+)$", re.I)

# How far each cue moves the delivery; all multiplicative on the speaker's voice.
HESITANT = {"rate": 0.8, "range": 0.8}
ENTHUSIASTIC = {"rate": 1.15, "pitch": 1.18, "range": 1.4, "gain_db": 2.0}
CONFIDENT = {"rate": 1.04, "range": 1.1, "gain_db": 1.0}
ENERGY = {"low": {"gain_db": -9.0, "rate": 0.93, "range": 0.6}, "high": {"gain_db": 3.0, "range": 1.2}}


@dataclass(frozen=True)
class Delivery:
    pause: float = 0.0  # seconds of exact silence before the turn (`2.1s pause`, `silence 3.5s`)
    hold: float = 0.0  # seconds of hold music before the turn (`hold 20.0s`)
    interrupts: bool = False
    rate: float = 1.0
    pitch: float = 1.0
    range: float = 1.0
    gain_db: float = 0.0
    contour: str = "neutral"  # neutral | falling | rising
    hesitant: bool = False
    from_word: int = 0  # a mid-turn cue: the voice changes from this word on, the words before are plain

    @property
    def neutral_voice(self) -> bool:
        return (self.rate, self.pitch, self.range, self.gain_db, self.contour, self.hesitant) == \
            (1.0, 1.0, 1.0, 0.0, "neutral", False)


def _num(s: str) -> float:
    return float(s.replace(",", "."))


def delivery(cues: Sequence[str]) -> Delivery:
    """The delivery of a turn from its cues, in any order; effects compose."""
    d: dict = {"pause": 0.0, "hold": 0.0, "interrupts": False, "rate": 1.0, "pitch": 1.0, "range": 1.0,
               "gain_db": 0.0, "contour": "neutral", "hesitant": False}

    def apply(eff: dict) -> None:
        for k, v in eff.items():
            d[k] = d[k] + v if k == "gain_db" else d[k] * v

    for raw in cues or ():
        c = " ".join(str(raw).strip().strip("[]").split())
        low = c.lower()
        if m := PAUSE.match(c):
            d["pause"] += _num(m.group(1))
        elif m := SILENCE.match(c):
            d["pause"] += _num(m.group(1))
        elif m := HOLD.match(c):
            d["hold"] += _num(m.group(1))
        elif low in ("interrupts", "interrupt", "interrupting"):
            d["interrupts"] = True
        elif low == "hesitant":
            d["hesitant"] = True
            apply(HESITANT)
        elif low == "enthusiastic":
            apply(ENTHUSIASTIC)
        elif low == "confident":
            apply(CONFIDENT)
        elif m := KEYED.match(c):
            key, val = m.group(1).lower(), m.group(2).lower()
            if key == "energy" and val in ENERGY:
                apply(ENERGY[val])
            elif key == "pitch" and val in ("falling", "rising"):
                d["contour"] = val
    d["pause"] = round(d["pause"], 3)
    d["hold"] = round(d["hold"], 3)
    return Delivery(**d)


def turn_delivery(cues: Sequence[str], cue_at: Sequence[int], text: str) -> Delivery:
    """The delivery of a turn whose voice cues may start mid-turn (`cue_at`,
    offsets in `text`): pauses and holds still come before the turn; when every
    voice cue is mid-turn, the voice changes at the word the first one precedes."""
    d = delivery(cues)
    at = list(cue_at) or [0] * len(cues)
    voice = [a for c, a in zip(cues, at) if not (PAUSE.match(_bare(c)) or HOLD.match(_bare(c))
                                                 or SILENCE.match(_bare(c)))]
    if voice and min(voice) > 0:
        return replace(d, from_word=len(text[:min(voice)].split()))
    return d


SILENCE_DETECTED_SEC = 2.0  # the shortest stretch of dead air a call's silence counts (the ground truth's long pause)
# a turn's audio is heard to end (or begin) up to some 0.17 s inside its times (a word's fading end below a
# detector's threshold): a gap this much below SILENCE_DETECTED_SEC can be heard as silence the turns' times
# do not count, so a drawn gap keeps out of this band (render/timing.py)
HEARD_EDGE_SEC = 0.25
# and a word's onset may start a few ms before its time (the heard gap was at most 0.035 s short): a gap just
# over the threshold can be heard just under it, so a drawn gap keeps out of this band above it too
HEARD_SHORT_SEC = 0.05


def silence_seconds(turns: Sequence[tuple[float, float, Sequence[str]]]) -> float:
    """A voice call's silence as a speech-analytics reading of its audio finds it: every stretch of at
    least SILENCE_DETECTED_SEC in which nobody speaks and no hold music plays, added up (seconds, to the
    millisecond). `turns`: (start, end, cues) of each turn in order, the transcript's (= the audio's)
    times; the hold music of a `hold Ns` cue fills the end of the gap before its turn (the audio's
    layout, backends/audio/mix.py), the rest of that gap is silence like any other. What the
    metadata's `Silence_total_seconds` of a voice call says (backends/header.py `realized`) and
    `corpusc verify` recomputes (E0704); a chat's silences are its planned waits instead."""
    least = round(SILENCE_DETECTED_SEC * 1000)
    total = 0
    reach = None
    for start, end, cues in turns:
        a, b = round(start * 1000), round(end * 1000)
        if reach is not None and a > reach:
            music = sum(round(_num(m.group(1)) * 1000) for c in cues or () if (m := HOLD.match(_bare(c))))
            quiet = a - reach - music
            if quiet >= least:
                total += quiet
        reach = b if reach is None else max(reach, b)
    return total / 1000


def _bare(c: str) -> str:
    return " ".join(str(c).strip().strip("[]").split())


def phrases(words: list[str], d: Delivery, rnd) -> list[tuple[int, int, float, float, bool]]:
    """Split a turn's words into spoken phrases: (first word, end word, pitch
    factor, silence after in seconds, whether the cued voice applies). A falling
    or rising contour steps the pitch across up to three phrases; hesitation
    breaks at punctuation and every few words with 0.25-0.55 s filler pauses.
    With `from_word` (a mid-turn cue) the words before it are one plain phrase.
    `rnd()` gives floats in [0, 1)."""
    k0 = min(d.from_word, len(words))
    if k0 > 0:
        rest = phrases(words[k0:], replace(d, from_word=0), rnd)
        return [(0, k0, 1.0, 0.0, False)] + [(a + k0, b + k0, f, g, v) for a, b, f, g, v in rest]
    n = len(words)
    if n == 0:
        return []
    cuts: list[int] = []
    if d.hesitant:
        run = 0
        for i, w in enumerate(words[:-1]):
            run += 1
            if w[-1:] in ",.;:?!" or run >= 4 + int(rnd() * 4):
                cuts.append(i + 1)
                run = 0
    if d.contour != "neutral" and n >= 3:
        thirds = {max(1, round(n * k / 3)) for k in (1, 2)} - {n}
        cuts = sorted(set(cuts) | thirds)
    bounds = [0, *cuts, n]
    out = []
    k = len(bounds) - 1
    for j in range(k):
        a, b = bounds[j], bounds[j + 1]
        if d.contour == "neutral" or k == 1:
            f = 1.0
        else:
            pos = ((a + b) / 2) / n  # 0..1 through the turn
            f = 1.2 - 0.45 * pos if d.contour == "falling" else 0.85 + 0.45 * pos
        gap = 0.25 + 0.3 * rnd() if (d.hesitant and j < k - 1) else 0.0
        out.append((a, b, f, round(gap, 3), True))
    return out
