"""`corpusc verify` for audio: the signal agrees with its timeline. The file
lasts as long as the timeline (within 10 ms); every turn has energy in its
channel; every pause and silence is silent; every interruption has speech of
both speakers at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np

from corpusc.diagnostics.model import Span

DURATION_TOLERANCE = 0.010
SPEECH_DBFS = -60.0  # a turn's RMS must exceed this
SILENT_DBFS = -60.0  # a pause's peak must stay below this
EDGE = 0.005  # seconds left out at interval edges (timeline rounding)
LOSSY_EDGE = 0.06  # codecs smear edges; pauses of mp3/ogg files are checked inside this margin
AUDIO_EXT = ("wav", "mp3", "ogg")


def _lin(dbfs: float) -> float:
    return 10 ** (dbfs / 20)


def check_call(out: Path, call_id: str, files: dict, add: Callable) -> dict | None:
    """Check one call's audio against its timeline; None when it has no audio."""
    trel = f"audio/{call_id}.timeline.json"
    arel = next((f"audio/{call_id}.{e}" for e in AUDIO_EXT if f"audio/{call_id}.{e}" in files), None)
    if trel not in files:
        return None
    tpath = out / trel
    try:
        tl = json.loads(tpath.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        add("E0725", f"`{trel}` is not valid JSON", Span.point(str(tpath)), help="rebuild the call")
        return None
    if arel is None and tl.get("audio") in files:  # `profile spitch` names the audio after agent, start and ANI
        arel = tl["audio"]
    if arel is None:
        return None
    apath = out / arel
    at = Span.point(str(apath))
    try:
        import soundfile as sf
        y, sr = sf.read(str(apath), dtype="float32", always_2d=True)
    except Exception as e:  # noqa: BLE001 - any decoder failure is the same finding
        add("E0725", f"`{arel}` cannot be decoded: {e}", at, help="rebuild the call")
        return None
    stats = {"seconds": len(y) / sr}
    ends = [t["end"] for t in tl.get("turns", [])] + [h["end"] for h in tl.get("holds", [])]
    end = max(ends, default=0.0)
    if abs(len(y) / sr - end) > DURATION_TOLERANCE:
        add("E0721", f"`{arel}` lasts {len(y) / sr:.3f} s; its timeline ends at {end:.3f} s", at,
            help="the audio or the timeline was altered after the build; rebuild the call")
    edge = LOSSY_EDGE if arel.endswith((".mp3", ".ogg")) else EDGE
    nch = y.shape[1]

    def part(a: float, b: float, ch: int | None) -> np.ndarray:
        i, j = max(0, int(round(a * sr))), min(len(y), int(round(b * sr)))
        return y[i:j] if ch is None else y[i:j, min(ch, nch - 1)]

    def rms(x: np.ndarray) -> float:
        return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0

    times = {t["index"]: (t["start"], t["end"]) for t in tl.get("turns", [])}
    chan = {t["index"]: (0 if t.get("channel") == "C1" else 1) for t in tl.get("turns", [])}
    for t in tl.get("turns", []):
        if t["end"] - t["start"] < 0.05:
            continue
        if rms(part(t["start"], t["end"], chan[t["index"]] if nch > 1 else 0)) <= _lin(SPEECH_DBFS):
            add("E0722", f"turn {t['index']} ({t['start']:.3f}-{t['end']:.3f} s) is silent in channel "
                f"{t.get('channel')} of `{arel}`", at, help="rebuild the call")
    for p in tl.get("pauses", []):
        seg = part(p["start"] + edge, p["end"] - edge, None)
        if seg.size and float(np.abs(seg).max()) >= _lin(SILENT_DBFS):
            add("E0723", f"the pause before turn {p['turn']} ({p['start']:.3f}-{p['end']:.3f} s) is not silent "
                f"in `{arel}`", at, help="rebuild the call")
    for o in tl.get("overlaps", []):
        if o["end"] - o["start"] < 0.02:
            continue
        a, b = chan.get(o["turn"], 0), chan.get(o["interrupted"], 0)
        chans = {a, b} if nch > 1 else {0}
        ti, tj = times.get(o["turn"]), times.get(o["interrupted"])
        timed = ti is not None and tj is not None and ti[0] < tj[1] and ti[0] <= o["start"] < o["end"] <= tj[1]
        if not timed or any(rms(part(o["start"], o["end"], c)) <= _lin(SPEECH_DBFS) for c in chans):
            add("E0724", f"turn {o['turn']} does not overlap turn {o['interrupted']} in `{arel}` "
                f"({o['start']:.3f}-{o['end']:.3f} s)", at, help="rebuild the call")
    return stats
