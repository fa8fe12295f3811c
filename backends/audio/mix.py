"""Placing utterances on the call's clock and mixing them: turn-taking gaps,
exact pauses and silences, hold music, interruptions that talk over the
previous utterance; mono or stereo (seller side left = C1, customer right = C2);
loudness normalization; encoding to WAV (soundfile), MP3 or OGG.

Loudness target: the active speech level (see `dsp.speech_level`) is set to
`loudness` dBFS (default -20), lowered if needed so no sample peaks above
-1 dBFS. Hold music sits 3 dB below the speech level, on both channels."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass, field

import numpy as np

from corpusc.backends.audio import dsp
from corpusc.render.cues import Delivery
from corpusc.backends.audio.errors import AudioError
from corpusc.backends.audio.speech import Utterance

DEFAULT_LOUDNESS = -20.0
PEAK_CEILING = -1.0
HOLD_DB = -3.0
GAP = (0.25, 0.6)  # seconds between turns when no rendered timing is given
OVERLAP = (0.15, 0.6)  # an interruption's overlap, capped at OVERLAP_CAP of the previous utterance
OVERLAP_CAP = 0.3
PAUSE_TOLERANCE = 0.05  # a rendered turn's gap realizes its pause cue within this (render/timing.py draws it so)
# Talking over is one event only when neither speaker falls silent inside it:
# a listener (and an evaluator joining double talk resumed within 0.5 s) hears
# a longer pause as two overlaps. A pause between two words is heard about
# 0.15 s longer than the words' spans say (their fading ends), so no word gap
# inside an overlap is longer than OVERLAP_PAUSE_MAX (`clear_pauses`).
OVERLAP_PAUSE_MAX = 0.3
CUT_IN_MIN = 0.6  # seconds: an interrupter's words before their first long pause that make an overlap alone
# Both speakers are heard at once for at least HEARD_MIN seconds in an overlap
# (an evaluator counts double talk of 0.2 s and more; a word's span holds its
# quiet onset and fading end: "Tschüss—" spans 0.31 s and is heard for 0.18 s).
# Heard: a 20 ms frame of the speaker louder than HEARD_DB below their own level.
HEARD_MIN = 0.3
HEARD_DB = 20.0
HEARD_FRAME = 0.02
# The heard frames count as one stretch across quiet gaps of at most this (an
# evaluator bridges pauses shorter than 0.3 s; a frame less for the frame grid
# of the call clock, which need not meet the utterance's).
HEARD_BRIDGE = 0.26


@dataclass
class Placed:
    turn: int
    channel: int  # 0 = C1 (seller side), 1 = C2 (customer side)
    start: int  # sample on the call clock
    utt: Utterance

    @property
    def end(self) -> int:
        return self.start + len(self.utt.samples)


@dataclass
class Layout:
    sr: int
    placed: list[Placed] = field(default_factory=list)
    holds: list[tuple[int, int]] = field(default_factory=list)
    pauses: list[tuple[int, int, int]] = field(default_factory=list)  # start, end, turn after it
    overlaps: list[tuple[int, int, int, int]] = field(default_factory=list)  # start, end, turn, interrupted turn
    length: int = 0


def layout(utts: list[Utterance], deliveries: list[Delivery], channels: list[int], sr: int, rnd,
           turns: list | None = None) -> Layout:
    """The call clock. With the rendered `turns`, their timing model decides:
    each turn's `gap` of silence after everything before it, an interruption
    or a backchannel said over another turn starts where the text timing puts
    it (as a share of the real utterance it talks over). Without them (a
    timeline of bare utterances), gaps are drawn from `GAP`. A pause or
    silence cue is exact silence; a hold cue puts hold music after the gap."""
    out = Layout(sr=sr)
    cursor = 0  # the end of everything placed so far
    for i, (u, d, ch) in enumerate(zip(utts, deliveries, channels)):
        t = turns[i] if turns is not None else None
        over = getattr(t, "overlaps", None) if t is not None else None
        if t is not None and over is not None and 0 <= over < len(out.placed) and d.hold <= 0:
            prev = out.placed[over]
            tp = turns[over]
            dur = prev.end - prev.start
            text_dur = max(1e-6, tp.end - tp.start)
            share = min(1.0, max(0.0, t.overlap / text_dur))
            if d.interrupts:
                share = min(share, OVERLAP_CAP)
            start = prev.end - max(1, int(round(dur * share)))
            start = max(prev.start, start)
            if prev.end > start:
                start, u = clear_pauses(prev, u, start, sr)
                prev, start, u = heard_over(prev, u, start, sr)
                out.placed[over] = prev
                out.overlaps.append((start, min(prev.end, start + len(u.samples)), i, prev.turn))
        elif t is None and d.interrupts and i and out.placed:
            gap = int(round((GAP[0] + (GAP[1] - GAP[0]) * rnd()) * sr))
            prev = out.placed[-1]
            dur = prev.end - prev.start
            ov = min(int(round((OVERLAP[0] + (OVERLAP[1] - OVERLAP[0]) * rnd()) * sr)), int(dur * OVERLAP_CAP))
            start = max(prev.start, prev.end - ov)
            if prev.end > start:
                start, u = clear_pauses(prev, u, start, sr)
                out.overlaps.append((start, min(prev.end, start + len(u.samples)), i, prev.turn))
        else:
            if t is not None:
                g = max(0.0, t.gap)
                if i and (getattr(t, "overlaps", None) is not None or g <= 0):
                    g = (GAP[0] + GAP[1]) / 2  # timed as talking over, placed after (a hold set later): a plain gap
                if d.pause > 0 and abs(g - d.pause) > PAUSE_TOLERANCE:
                    g = d.pause  # the cue was set after the text was timed: the cue's silence, exactly
                gap = int(round(g * sr))
            else:
                gap = int(round((GAP[0] + (GAP[1] - GAP[0]) * rnd()) * sr)) if i else 0
            if d.hold > 0:
                h0 = cursor + gap
                h1 = h0 + int(round(d.hold * sr))
                out.holds.append((h0, h1))
                if t is not None:
                    start = h1
                else:
                    start = h1 + int(round(d.pause * sr)) if d.pause > 0 else h1 + gap
                if d.pause > 0 and t is None:
                    out.pauses.append((h1, start, i))
            elif d.pause > 0:
                start = cursor + (gap if t is not None else int(round(d.pause * sr)))
                out.pauses.append((cursor, start, i))
            else:
                start = cursor + gap
            if t is not None and d.pause > 0 and d.hold > 0:
                out.pauses.append((cursor, cursor + gap, i))
        p = Placed(turn=i, channel=ch, start=start, utt=u)
        out.placed.append(p)
        cursor = max(cursor, p.end) if over is None else max(q.end for q in out.placed)  # (a pause of prev shortened)
    out.length = max([cursor] + [h[1] for h in out.holds])
    return out


def _long_pauses(u: Utterance, longest: int) -> list[tuple[int, int]]:
    """The word gaps of `u` longer than `longest` samples: (end of a word, start of the next)."""
    return [(a, b) for (_, a), (b, _) in zip(u.words, u.words[1:]) if b - a > longest]


def clear_pauses(prev: Placed, u: Utterance, start: int, sr: int) -> tuple[int, Utterance]:
    """Where `u`, said over `prev` from sample `start`, starts and what it
    says so that no word gap longer than OVERLAP_PAUSE_MAX falls inside the
    overlap: the overlap starts after the interrupted speaker's last long
    pause; it ends where the interrupter first pauses long when their words
    before it make an overlap (CUT_IN_MIN: "Sorry, one moment." over the other's
    last words, then the pause); a shorter cut-in ("Um.") talks on over the
    other speaker with its long pauses inside the overlap shortened to
    OVERLAP_PAUSE_MAX."""
    longest = int(round(OVERLAP_PAUSE_MAX * sr))
    for _, b in _long_pauses(prev.utt, longest):
        if prev.start + b > start:
            start = prev.start + b
    pauses = [(a, b) for a, b in _long_pauses(u, longest) if a < prev.end - start]
    if not pauses:
        return start, u
    a0 = pauses[0][0]
    if a0 >= CUT_IN_MIN * sr:
        return prev.end - a0, u
    x, words = u.samples, list(u.words)
    while True:
        over = prev.end - start
        gap = next(((a, b) for a, b in _long_pauses(Utterance(x, u.sr, words), longest) if a < over), None)
        if gap is None:
            return start, Utterance(x, u.sr, words)
        a, b = gap
        cut = b - a - longest
        x = np.concatenate((x[:a + longest], x[b:]))
        words = [(s - cut, e - cut) if s >= b else (s, e) for s, e in words]


def _heard(u: Utterance) -> np.ndarray:
    """Per HEARD_FRAME of `u`: whether the speaker is heard (HEARD_DB below their level or louder)."""
    r = dsp.frame_rms(u.samples, u.sr, HEARD_FRAME)
    level = dsp.speech_level(u.samples, u.sr)
    return r > level * 10 ** (-HEARD_DB / 20) if level > 0 else np.zeros(len(r), bool)


def _tightened(u: Utterance, frm: int, longest: int, upto: int | None = None) -> Utterance:
    """`u` with its word gaps longer than `longest` samples after sample `frm`
    (and starting before `upto`) shortened to `longest`."""
    x, words = u.samples, list(u.words)
    while True:
        gap = next(((a, b) for a, b in _long_pauses(Utterance(x, u.sr, words), longest)
                    if a >= frm and (upto is None or a < upto)), None)
        if gap is None:
            return Utterance(x, u.sr, words)
        a, b = gap
        cut = b - a - longest
        x = np.concatenate((x[:a + longest], x[b:]))
        words = [(s - cut, e - cut) if s >= b else (s, e) for s, e in words]


def _runs(heard: np.ndarray, bridge: int) -> list[tuple[int, int]]:
    """The heard stretches of a speaker, [first, last + 1) frames, joined across
    quiet gaps of at most `bridge` frames (a pause an evaluator bridges)."""
    runs: list[tuple[int, int]] = []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], heard.astype(np.int8), [0]))))
    for a, b in zip(edges[::2].tolist(), edges[1::2].tolist()):
        if runs and a - runs[-1][1] <= bridge:
            runs[-1] = (runs[-1][0], b)
        else:
            runs.append((a, b))
    return runs


def heard_over(prev: Placed, u: Utterance, start: int, sr: int) -> tuple[Placed, int, Utterance]:
    """(prev, start, u) so that the interrupted speaker is heard for HEARD_MIN
    seconds on end inside the overlap (one heard stretch, its pauses short
    enough to be bridged: HEARD_BRIDGE). When their words after `start` are
    too few or split by a pause ("Tag. Tschüss—", the overlap starting after
    the pause; 0.2 s heard, 0.36 s quiet, 0.18 s heard: two pieces each too
    short to count as talking over), the overlap starts earlier, at the last
    HEARD_MIN seconds of their last stretch long enough, and the long pauses
    of both inside it are shortened to OVERLAP_PAUSE_MAX, as `clear_pauses`
    does (talked over, a speaker does not stop for long)."""
    heard = _heard(prev.utt)
    n = max(1, int(round(HEARD_FRAME * sr)))
    need = int(round(HEARD_MIN / HEARD_FRAME))
    runs = _runs(heard, int(HEARD_BRIDGE / HEARD_FRAME + 1e-9))
    s0 = max(0, (start - prev.start) // n)
    e0 = min(len(heard), -(-(start + len(u.samples) - prev.start) // n))  # where the overlap ends
    if any(min(b, e0) - max(a, s0) >= need for a, b in runs):
        return prev, start, u
    fit = [(a, b) for a, b in runs if b - a >= need and a < s0]
    if not fit:
        return prev, start, u  # no stretch heard that long before the overlap: as placed
    longest = int(round(OVERLAP_PAUSE_MAX * sr))
    at = (fit[-1][1] - need) * n  # where the last HEARD_MIN seconds of the stretch begin
    if at >= start - prev.start:
        return prev, start, u
    prev = Placed(prev.turn, prev.channel, prev.start, _tightened(prev.utt, at, longest))
    start = prev.start + at
    return prev, start, _tightened(u, 0, longest, prev.end - start)


def mix(lay: Layout, stereo: bool, loudness: float = DEFAULT_LOUDNESS) -> np.ndarray:
    """(samples, channels) float32 in [-1, 1]."""
    nch = 2 if stereo else 1
    y = np.zeros((lay.length, nch), np.float32)
    for p in lay.placed:
        y[p.start:p.end, p.channel if stereo else 0] += p.utt.samples
    level = dsp.speech_level(y, lay.sr)
    if level > 0:
        gain = 10 ** (loudness / 20) / level
        peak = float(np.abs(y).max())
        if peak * gain > 10 ** (PEAK_CEILING / 20):
            gain = 10 ** (PEAK_CEILING / 20) / peak
        y *= np.float32(gain)
        level *= gain
    hold_level = (level if level > 0 else 10 ** (loudness / 20)) * 10 ** (HOLD_DB / 20)
    for h0, h1 in lay.holds:
        music = dsp.hold_music(h0 / lay.sr, (h1 - h0) / lay.sr, lay.sr, hold_level)
        y[h0:h0 + len(music)] += music[:, None]
    np.clip(y, -1.0, 1.0, out=y)
    return y


def encode(y: np.ndarray, sr: int, fmt: str, encoding: str = "pcm16") -> bytes:
    """WAV is 16-bit PCM unless `encoding mulaw` asks for G.711 µ-law (which
    Python's `wave`, scipy and pydub without ffmpeg cannot open)."""
    import soundfile as sf
    buf = io.BytesIO()
    if fmt == "wav":
        sf.write(buf, y, sr, format="WAV", subtype="ULAW" if encoding == "mulaw" else "PCM_16")
        return buf.getvalue()
    name = {"mp3": "MP3", "ogg": "OGG"}[fmt]
    if name in sf.available_formats() and _native(fmt):
        sf.write(buf, y, sr, format=name, subtype="MPEG_LAYER_III" if fmt == "mp3" else "VORBIS")
        return ogg_fixed_serial(buf.getvalue()) if fmt == "ogg" else buf.getvalue()
    if ffmpeg() is None:
        raise AudioError("E0714", f"cannot encode `{fmt}`: this libsndfile cannot, and ffmpeg is not installed",
                         help="install ffmpeg (e.g. `apt-get install ffmpeg`) or use `format wav`")
    from pydub import AudioSegment
    pcm = (np.clip(y, -1, 1) * 32767).astype("<i2")
    seg = AudioSegment(pcm.tobytes(), frame_rate=sr, sample_width=2, channels=y.shape[1])
    seg.export(buf, format=fmt, parameters=["-map_metadata", "-1", "-fflags", "+bitexact"])
    return buf.getvalue()


def _ogg_crc_table() -> list[int]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
        table.append(r & 0xFFFFFFFF)
    return table


_CRC = _ogg_crc_table()


def ogg_fixed_serial(data: bytes, serial: int = 0x636F7270) -> bytes:
    """libsndfile gives each Ogg stream a random serial number; a fixed one (and
    the page checksums redone) makes the same audio the same bytes."""
    out = bytearray(data)
    i = 0
    while i + 27 <= len(out) and out[i:i + 4] == b"OggS":
        nseg = out[i + 26]
        size = 27 + nseg + sum(out[i + 27:i + 27 + nseg])
        out[i + 14:i + 18] = serial.to_bytes(4, "little")
        out[i + 22:i + 26] = b"\0\0\0\0"
        crc = 0
        for b in out[i:i + size]:
            crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC[((crc >> 24) ^ b) & 0xFF]
        out[i + 22:i + 26] = crc.to_bytes(4, "little")
        i += size
    return bytes(out)


def _native(fmt: str) -> bool:
    """libsndfile builds with MP3/Vorbis encoders (1.1+); a seam for tests."""
    return True


def ffmpeg() -> str | None:
    return shutil.which("ffmpeg") or shutil.which("avconv")
