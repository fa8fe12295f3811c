"""Signal primitives on numpy float32 arrays: resampling with an optional
telephone band, speech level, silence trimming and hold music. All exact
functions of their input, so the same call gives the same bytes."""

from __future__ import annotations

import math

import numpy as np

TELEPHONE_BAND = (300.0, 3400.0)
SILENCE = 1e-4  # |x| below this is silence (-80 dBFS); trimming and verify agree on it
LEVEL_FRAME = 0.02  # seconds per frame for the speech level


def _fast_len(n: int) -> int:
    """The next 5-smooth length >= n (pocketfft is fast on those)."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best


def resample(x: np.ndarray, sr_in: int, sr_out: int, band: tuple[float, float] | None = None) -> np.ndarray:
    """FFT resampling of a short clip (one utterance), optionally limited to a
    band with raised-cosine edges (100 Hz wide) so it does not ring. The FFT
    sizes keep the exact rate ratio and stay fast (5-smooth multiples)."""
    n = len(x)
    if n == 0 or (sr_in == sr_out and band is None):
        return x.astype(np.float32, copy=False)
    g = math.gcd(sr_in, sr_out)
    a, b = sr_in // g, sr_out // g
    k = _fast_len(-(-n // a))
    pad, pad_out = a * k, b * k
    m = max(1, round(n * sr_out / sr_in))
    spec = np.fft.rfft(x.astype(np.float64), pad)
    kk = pad_out // 2 + 1
    out = np.zeros(kk, np.complex128)
    c = min(kk, len(spec))
    out[:c] = spec[:c]
    freqs = np.arange(kk) * (sr_out / pad_out)
    nyq = min(sr_in, sr_out) / 2
    w = 1.0 - _edge(freqs, nyq - 200.0, nyq)  # anti-alias taper below the lower Nyquist
    if band is not None:
        lo, hi = band
        w = w * _edge(freqs, lo - 100.0, lo) * (1.0 - _edge(freqs, hi, hi + 100.0))
    y = np.fft.irfft(out * w, pad_out) * (pad_out / pad)
    return y[:m].astype(np.float32)


def _edge(f: np.ndarray, a: float, b: float) -> np.ndarray:
    """0 below a, 1 above b, a raised cosine between."""
    t = np.clip((f - a) / max(b - a, 1e-9), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * t)


def trim(x: np.ndarray, threshold: float = 0.004) -> tuple[int, int]:
    """First and end index of the sound in a clip (engines pad with silence)."""
    idx = np.flatnonzero(np.abs(x) > threshold)
    if len(idx) == 0:
        return 0, 0
    return int(idx[0]), int(idx[-1]) + 1


def frame_rms(x: np.ndarray, sr: int, frame: float = LEVEL_FRAME) -> np.ndarray:
    n = max(1, int(sr * frame))
    k = len(x) // n
    if k == 0:
        return np.sqrt(np.mean(np.square(x, dtype=np.float64))).reshape(1) if len(x) else np.zeros(1)
    f = x[:k * n].reshape(k, n)
    return np.sqrt(np.einsum("ij,ij->i", f, f, dtype=np.float64) / n)


def speech_level(x: np.ndarray, sr: int) -> float:
    """Active speech level (RMS, linear) in the spirit of ITU-T P.56: the RMS
    over 20 ms frames louder than 40 dB below the loudest frame, of the
    channels' sum (each speaker at their own level, whatever the layout)."""
    if x.ndim == 2:
        x = x.sum(axis=1, dtype=np.float32)
    r = frame_rms(x, sr)
    if len(r) == 0 or r.max() <= 0:
        return 0.0
    active = r[r > r.max() * 0.01]
    return float(np.sqrt(np.mean(active * active)))


def db(x: float) -> float:
    return 20 * math.log10(max(x, 1e-12))


def hold_music(start: float, seconds: float, sr: int, level: float) -> np.ndarray:
    """A soft four-chord loop (I-vi-IV-V, 2 s per chord, arpeggio over a pad),
    generated from absolute time so any stretch of it is the same everywhere.
    Scaled to RMS `level`."""
    n = int(round(seconds * sr))
    if n <= 0:
        return np.zeros(0, np.float32)
    t = start + np.arange(n) / sr
    chords = ((261.63, 329.63, 392.00), (220.00, 261.63, 329.63), (174.61, 220.00, 261.63),
              (196.00, 246.94, 293.66))
    ci = (t // 2.0).astype(np.int64) % 4
    y = np.zeros(n)
    for v in range(3):
        f = np.array([c[v] for c in chords])[ci]
        y += 0.3 * np.sin(2 * np.pi * f * t)  # the pad; each chord starts on a whole period boundary below
        note = ((t * 4).astype(np.int64) % 3) == v  # arpeggio, a note every 250 ms
        env = np.exp(-((t * 4) % 1.0) * 5.0)
        y += note * env * 0.5 * np.sin(2 * np.pi * 2 * f * t)
    fade = min(n, int(0.05 * sr))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        y[:fade] *= ramp
        y[-fade:] *= ramp[::-1]
    rms = float(np.sqrt(np.mean(y * y))) or 1.0
    return (y * (level / rms)).astype(np.float32)
