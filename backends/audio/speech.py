"""One turn -> one utterance: the engine's samples with the turn's delivery
applied (rate, pitch, contour, hesitation pauses, gain), trimmed to the sound,
and the sample span of every whitespace word of the turn's text."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from corpusc.backends.audio import dsp
from corpusc.render.cues import Delivery, phrases
from corpusc.backends.audio.voices import Voice, espeak_language

BASE_RANGE = 50  # espeak-ng's default pitch range


@dataclass
class Utterance:
    samples: np.ndarray  # float32 mono, first to last audible sample
    sr: int
    words: list[tuple[int, int]]  # per whitespace word of the turn text: [start, end) in samples

    def resampled(self, sr: int, band: tuple[float, float] | None) -> "Utterance":
        if sr == self.sr and band is None:
            return self
        y = dsp.resample(self.samples, self.sr, sr, band)
        k = len(y) / max(1, len(self.samples))
        words = [(min(len(y), round(a * k)), min(len(y), round(b * k))) for a, b in self.words]
        return Utterance(y, sr, words)


def _word_ends(x: np.ndarray, starts: list[int], end: int) -> list[tuple[int, int]]:
    """A word ends at its last audible sample before the next word starts."""
    if not starts:
        return []
    loud = np.abs(x) > dsp.SILENCE * 40
    last = np.maximum.accumulate(np.where(loud, np.arange(len(x)), -1)) if len(x) else np.zeros(0, np.int64)
    out = []
    for i, s in enumerate(starts):
        nxt = starts[i + 1] if i + 1 < len(starts) else end
        e = int(last[nxt - 1]) + 1 if nxt > s and nxt - 1 < len(last) else nxt
        out.append((s, max(e, min(nxt, s + 1))))
    return out


def _fill(starts: list[int | None], lo: int) -> list[int]:
    out, prev = [], lo
    for s in starts:
        prev = max(prev, s) if s is not None else prev
        out.append(prev)
    return out


def espeak_utterance(text: str, voice: Voice, d: Delivery, locale: str, rnd) -> Utterance:
    from corpusc.backends.audio import espeak
    words = text.split()
    eng = espeak.engine()
    espeak.set_voice(f"{espeak_language(locale)}+{voice.variant}")
    parts: list[np.ndarray] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    voiced_from = None  # the first sample in the cued voice (a mid-turn cue: after the plain words)
    for a, b, f, gap, cued in phrases(words, d, rnd):
        chunk = words[a:b]
        rate, pitch, rng_ = (d.rate, d.pitch, d.range) if cued else (1.0, 1.0, 1.0)
        if cued and voiced_from is None:
            voiced_from = pos
        pcm, events = espeak.synth(" ".join(chunk), int(round(voice.rate * rate)),
                                   int(round(voice.pitch * pitch * f)), int(round(BASE_RANGE * rng_)))
        x = pcm.astype(np.float32) / 32768.0
        s, e = dsp.trim(x)
        x = x[s:e]
        starts = [None if v is None else min(max(0, v - s), len(x)) for v in espeak.word_starts(chunk, events)]
        starts[0] = 0
        for ws, we in _word_ends(x, _fill(starts, 0), len(x)):
            spans.append((pos + ws, pos + we))
        parts.append(x)
        pos += len(x)
        g = int(round(gap * eng.rate))
        if g:
            parts.append(np.zeros(g, np.float32))
            pos += g
    y = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    if d.gain_db and voiced_from is not None:
        y[voiced_from:] = y[voiced_from:] * np.float32(10 ** (d.gain_db / 20))
    return Utterance(y, eng.rate, spans)


def estimated_words(text: str, n: int) -> list[tuple[int, int]]:
    """Word spans spread by character count, for engines without word events."""
    words = text.split()
    total = sum(len(w) + 1 for w in words) or 1
    out, c = [], 0
    for w in words:
        a = round(n * c / total)
        c += len(w) + 1
        out.append((a, max(a + 1, round(n * (c - 1) / total))))
    return out


def from_pcm(pcm: bytes, sr: int, text: str, d: Delivery) -> Utterance:
    """An utterance from an engine's 16-bit little-endian mono PCM."""
    x = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0
    s, e = dsp.trim(x)
    x = x[s:e]
    if d.gain_db:
        x = x * np.float32(10 ** (d.gain_db / 20))
    return Utterance(x, sr, estimated_words(text, len(x)))
