"""The timing model shared by every renderer and the audio backend: how fast
each participant speaks and where each turn starts and ends. One model, so a
transcript's timestamps and the audio's words cannot disagree.

Gaps between turns are drawn per speaker and per context, not fixed: an answer
to a question comes quickly unless the speaker stops to think, bad news and a
long turn are followed by a longer silence, a backchannel comes fast. An
interruption starts before the previous turn ends, a backchannel said over
the other speaker starts inside their turn, which goes on; an interjection (a
listener's word the speaker breaks off at) starts just before the end of the
turn it breaks off, so that turn's text ends where its time ends. Times are whole milliseconds and
every silence of a call differs from every other by at least `DISTINCT_MS`, so
no two silences have the same length (rounding the audio's samples to
milliseconds moves a silence by under 1 ms and cannot make two equal)."""

from __future__ import annotations

from typing import Any, Iterable, NamedTuple, Sequence

from corpusc.plan import rng
from corpusc.plan.model import Call, Header
from corpusc.render.cues import HEARD_EDGE_SEC, HEARD_SHORT_SEC, SILENCE_DETECTED_SEC, delivery

DEFAULT_WPM = 150.0
WORDS_PER_SEC = DEFAULT_WPM / 60  # the length target: total words = duration x 150 wpm
GAP = 0.45  # seconds: the typical silence between two turns of a speaker at 150 wpm
MIN_GAP = 0.12
OVERLAP = (0.35, 1.3)  # seconds an interrupting turn starts before the previous one ends
OVERLAP_SHARE = 0.45  # an interruption talks over at most this share of the previous turn
BACKCHANNEL_AT = (0.35, 0.75)  # where in the other speaker's turn an overlapping backchannel starts
INTERJECTION = (0.12, 0.45)  # seconds an interjection starts before the turn it breaks off ends
INTERJECTION_SHARE = 0.8  # ...at most this share of the interjection's own length (it is heard past the break)
DISTINCT_MS = 3  # two silences of a call differ by at least this many milliseconds
PAUSE_JITTER_MS = 40  # a `2.1s pause` cue is 2.1 s of silence and up to 40 ms more (it still reads as 2.1)
CUED_PAUSE = 1.5  # seconds: a drawn silence this long is marked as a pause cue (with paralinguistics on)
LONG_TURN = 60  # words: a turn this long is followed by a longer silence
DEFAULT_HESITATION = 0.1
# A chat (`call.medium == "chat"`) is typed and read, not spoken: a message
# lasts as long as its writer types it, and the reply starts after the other
# side has read it. Typing speeds of service chats: agents (snippets,
# practice) type faster than customers; reading is about 240 wpm.
TYPING_WPM = {"seller": 55.0, "buyer": 38.0}
READING_WPM = 240.0
# words a chat holds per second of its length: typing (the two sides' mean) and reading each word
CHAT_WORDS_PER_SEC = 1.0 / (120.0 / sum(TYPING_WPM.values()) + 60.0 / READING_WPM)


class Timed(NamedTuple):
    """Where one turn sits on the call's clock (seconds, 3 decimals). A
    named tuple: a call makes one per turn, a frozen dataclass cost more."""
    start: float
    end: float
    gap: float  # silence before it (0 when it overlaps)
    overlap: float  # seconds it starts before the turn it talks over ends (where the audio places it)
    overlaps: int | None  # the turn it talks over
    cue: str | None = None  # a long pause the timing drew, as a cue (`1.8s pause`), when asked for


_timed = tuple.__new__  # a Timed of all its fields, without the named tuple's own __new__ (one a turn)


def pause(cues: Sequence[str]) -> float:
    """Seconds of time before a turn (`2.1s pause`, `hold 20.0s`, `silence
    3.5s`), read by the same parser the audio backend uses."""
    d = delivery(cues)
    return d.pause + d.hold


def speaker_rates(call: Call, header: Header) -> dict[str, float]:
    """Words per minute of each participant: the persona's `speech.rate_wpm`,
    else 150; in a chat, the side's typing speed (`TYPING_WPM`)."""
    personas = header.personas
    out = {}
    if call.medium == "chat":
        return {p.id: TYPING_WPM.get(p.side, TYPING_WPM["buyer"]) for p in call.participants}
    for p in call.participants:
        rate = DEFAULT_WPM
        if p.persona and p.persona in personas:
            rate = float((personas[p.persona].get("speech") or {}).get("rate_wpm") or DEFAULT_WPM)
        out[p.id] = rate
    return out


def hesitations(call: Call, header: Header) -> dict[str, float]:
    """How often each participant hesitates (the persona's `speech.hesitation`,
    a share of turns), else `DEFAULT_HESITATION`."""
    out = {}
    for p in call.participants:
        h = DEFAULT_HESITATION
        if p.persona and p.persona in header.personas:
            v = (header.personas[p.persona].get("speech") or {}).get("hesitation")
            if v is not None:
                h = float(v)
        out[p.id] = h
    return out


# a drawn gap of a voice call is never in this band of milliseconds: heard as silence, or heard just under it
_HEARD_BAND = (round((SILENCE_DETECTED_SEC - HEARD_EDGE_SEC) * 1000), round((SILENCE_DETECTED_SEC + HEARD_SHORT_SEC) * 1000))


class Clock:
    """Distinct silences: each drawn gap is moved to the nearest free
    millisecond value at least `DISTINCT_MS` from every gap already used."""

    def __init__(self) -> None:
        self.used: set[int] = set()
        # every value closer than DISTINCT_MS to a used one: a candidate is free when it is not here (one
        # look instead of one per value near it)
        self.near: set[int] = set()

    def free(self, ms: int, lo: int = 0, avoid: tuple[int, int] = (0, 0)) -> int:
        """`avoid`: a band [a, b) no value is moved into (a drawn gap kept out of
        the band heard as silence stays out of it when moved to a free value)."""
        ms = max(lo, ms)
        near = self.near
        a, b = avoid
        step = 0
        while True:
            for cand in ((ms + step, ms - step) if step else (ms,)):
                if cand >= lo and cand not in near and not a <= cand < b:
                    self.used.add(cand)
                    near.update(range(cand + 1 - DISTINCT_MS, cand + DISTINCT_MS))
                    return cand
            step += 1


def _draw_gap(r, base: float, hes: float, prev: Any, bc: bool, prev_words: int | None = None) -> float:
    """Seconds of silence before a turn, by context (`prev_words`: the
    previous turn's word count, when the caller has it)."""
    if bc:
        return 0.08 + 0.25 * r.random()
    g = base * (0.55 + 0.9 * r.random())
    prev_text = (getattr(prev, "text", "") or "").rstrip()
    if prev_text[-1:] == "?":
        g *= 0.8  # an answer comes quickly...
        if r.random() < 1.5 * hes:
            g += 0.6 + 1.4 * r.random()  # ...unless the speaker stops to think
    elif r.random() < 0.6 * hes:
        g += 0.5 + 1.2 * r.random()  # a thinking pause
    if getattr(prev, "tone", 0) < 0:
        g += 0.35 + 0.7 * r.random()  # after bad news
    if (len(prev_text.split()) if prev_words is None else prev_words) >= LONG_TURN:
        g += 0.15 + 0.45 * r.random()  # after a long turn
    return max(MIN_GAP, g)


def _count_words(text: str) -> int:
    """`len(text.split())` without making the words: a printable text holds
    no whitespace but the space (tests/test_dynamics_speed.py), so one whose
    spaces are single and inside it has one word more than spaces."""
    if text and text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        return text.count(" ") + 1
    return len(text.split())


def timeline(turns: Iterable[Any], call: Call, header: Header, cue_pauses: bool = False) -> list[Timed]:
    """Where each turn starts and ends. Works on any objects with `.text`,
    `.cues` and `.speaker`; optional `.tone` (< 0: bad news), `.bc` (a
    backchannel), `.over` (a backchannel said over the previous turn) and
    `.cut` (an interjection: that turn breaks off where it starts) shape the
    gaps. A turn cued INTERRUPTS starts
    before the previous one ends; a pause or silence cue is that silence
    (within `PAUSE_JITTER_MS`); a hold cue puts its seconds after the gap.
    `cue_pauses`: a drawn silence of `CUED_PAUSE` or more becomes a pause cue
    on its turn (`Timed.cue`), on any speaker, as an annotator would mark it."""
    turns = list(turns)
    rates = speaker_rates(call, header)
    hes = hesitations(call, header)
    r = rng.stream(header.corpus.get("seed", 0), "timing", call.id)
    chat = call.medium == "chat"
    base = {p.id: GAP * (DEFAULT_WPM / rates.get(p.id, DEFAULT_WPM)) * (0.8 + 0.45 * r.random())
            for p in call.participants}
    clock = Clock()
    fixed = []
    for t in turns:  # the planned silences are placed first, the drawn gaps keep clear of them
        d = delivery(t.cues) if t.cues else None
        fixed.append(d)
    planned: list[int | None] = []
    for d in fixed:
        if d is not None and d.pause > 0:
            ms = round(d.pause * 1000)
            planned.append(clock.free(ms + round(r.random() * PAUSE_JITTER_MS), lo=ms))
        else:
            planned.append(None)
    out: list[Timed] = []
    prev_start = prev_end = reach = 0  # ms; reach: the end of everything so far
    prev = None
    prev_i = 0
    counts = [_count_words(t.text) for t in turns]
    for i, t in enumerate(turns):
        words = counts[i]
        dur = round(words * 60000.0 / rates.get(t.speaker, DEFAULT_WPM))
        d = fixed[i]
        hold = round(d.hold * 1000) if d is not None else 0
        interrupts = d is not None and d.interrupts
        bc_over = bool(getattr(t, "over", False))
        cut = bc_over and bool(getattr(t, "cut", False))
        gap = overlap = 0
        over = None
        cue = None
        if i == 0:
            start = (planned[0] or 0) + hold
            gap = planned[0] or 0
        elif (interrupts or bc_over) and prev_end > prev_start and not hold:
            span = prev_end - prev_start
            if interrupts:
                ov = round(1000 * (OVERLAP[0] + (OVERLAP[1] - OVERLAP[0]) * r.random()))
                ov = max(1, min(ov, round(span * OVERLAP_SHARE)))
            elif cut:  # the speaker stops just after the interjection starts
                ov = round(1000 * (INTERJECTION[0] + (INTERJECTION[1] - INTERJECTION[0]) * r.random()))
                ov = max(1, min(ov, round(dur * INTERJECTION_SHARE), round(span * OVERLAP_SHARE)))
            else:
                at = BACKCHANNEL_AT[0] + (BACKCHANNEL_AT[1] - BACKCHANNEL_AT[0]) * r.random()
                ov = max(1, span - round(span * at))
            start = prev_end - ov
            overlap, over = ov, prev_i
        else:
            if planned[i] is not None:
                gap = planned[i]
            else:
                g = _draw_gap(r, base.get(t.speaker, GAP), hes.get(t.speaker, DEFAULT_HESITATION), prev,
                              bool(getattr(t, "bc", False)), counts[prev_i] if prev is not None else 0)
                if chat and prev is not None:  # the reply starts once the last message is read
                    g += counts[prev_i] * 60.0 / READING_WPM
                if not chat and SILENCE_DETECTED_SEC - HEARD_EDGE_SEC <= g < SILENCE_DETECTED_SEC:
                    # just short of what counts as silence, it could be heard as silence (HEARD_EDGE_SEC):
                    # the band's gaps are said that much shorter, so the audio and the silence counted agree
                    g -= HEARD_EDGE_SEC
                elif not chat and SILENCE_DETECTED_SEC <= g < SILENCE_DETECTED_SEC + HEARD_SHORT_SEC:
                    g += HEARD_SHORT_SEC  # just over it, it could be heard just under it: said that much longer
                if cue_pauses and not chat and g >= CUED_PAUSE and not t.cues:  # a long pause, cued (a chat has none)
                    tenth = int(g * 10) * 100
                    if tenth == round(SILENCE_DETECTED_SEC * 1000):
                        tenth += 100  # a "2.0s pause" would be said within HEARD_SHORT_SEC of the threshold
                    gap = clock.free(tenth + round(r.random() * PAUSE_JITTER_MS), lo=tenth)
                    if gap - tenth <= PAUSE_JITTER_MS + 5:
                        cue = f"{tenth / 1000:.1f}s pause"
                else:
                    # (moved to a free value, it keeps out of the band: a gap of 1.7496 s was moved to 1.750 s,
                    # within HEARD_EDGE_SEC of the threshold: bank_service.00092 of the example, session 32)
                    gap = clock.free(round(g * 1000), lo=round(MIN_GAP * 1000) // 2,
                                     avoid=(0, 0) if chat else _HEARD_BAND)
            start = reach + gap + hold
        end = start + dur
        out.append(_timed(Timed, (start / 1000, end / 1000, gap / 1000, overlap / 1000, over, cue)))
        if not bc_over or over is None:
            prev, prev_i, prev_start, prev_end = t, i, start, end
        reach = max(reach, end)
    return out


def timing(turns: Iterable[Any], call: Call, header: Header) -> list[tuple[float, float]]:
    """Start and end (seconds) of each turn (see `timeline`)."""
    return [(x.start, x.end) for x in timeline(turns, call, header)]
