"""Measure the audio backend.

    python benchmarks/bench_audio.py

Reports: (1) the offline engine with mixing and timelines, in one process on
the calls of examples/sales_pov.corpus (speech synthesis, resampling, layout,
mix, WAV encoding, both timelines; the transcript engine not counted), as
audio seconds per CPU second ("x real time per core"), for the default 22.05
kHz stereo and the 8 kHz telephony profile; (2) a full `corpusc build` of
sales_pov with `emit audio` added (cold process, --jobs = CPUs): wall time and
minutes of audio; (3) the same for examples/contact_center.corpus as shipped.
BENCH_DIR sets where outputs go (e.g. a tmpfs).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def in_process(options: dict) -> tuple[float, float]:
    """(audio seconds, CPU seconds) of Audio.retime over every sales_pov call."""
    from corpusc.backends.audio.backend import Audio
    from corpusc.backends.base import Context
    from corpusc.render.template.engine import render_call
    from corpusc.plan import planner as planmod
    from corpusc.diagnostics.model import Sink
    from corpusc.compiler.driver import compile_file
    c = compile_file(str(ROOT / "examples/sales_pov.corpus"), Sink())
    h = planmod.header(c.program, c.spec_hash)
    calls = list(planmod.calls(c.program))
    rendered = [render_call(x, h) for x in calls]
    ctx = Context(header=h, options={"audio": options})
    backend = Audio()
    backend.retime(calls[0], rendered[0], ctx)  # load espeak-ng once, as a worker does
    audio = 0.0
    t = time.process_time()
    for call, rc in zip(calls, rendered):
        _, new = backend.retime(call, rc, ctx)
        audio += new.duration
    return audio, time.process_time() - t


def build(spec: Path, out: Path) -> float:
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(p.stdout + p.stderr)
    return time.perf_counter() - t


def minutes(out: Path) -> tuple[int, float]:
    n, secs = 0, 0.0
    for p in (out / "audio").glob("*.timeline.json"):
        n += 1
        secs += json.loads(p.read_text())["duration"]
    return n, secs / 60


def main() -> None:
    for label, opts in (("espeak, 22.05 kHz stereo", {"engine": "espeak", "stereo": True}),
                        ("espeak, telephony 8 kHz mu-law stereo", {"engine": "espeak", "stereo": True,
                                                                   "telephony": True, "encoding": "mulaw"})):
        audio, cpu = in_process(opts)
        print(f"in-process {label}: {audio / 60:.1f} min of audio in {cpu:.2f} CPU s "
              f"= {audio / cpu:.0f}x real time per core")
    base = Path(os.environ.get("BENCH_DIR") or tempfile.gettempdir())
    work = Path(tempfile.mkdtemp(prefix="bench_audio_", dir=base))
    try:
        spec = work / "sales_pov_audio.corpus"
        spec.write_text((ROOT / "examples/sales_pov.corpus").read_text() + "\nemit audio { engine espeak stereo }\n")
        wall = build(spec, work / "sales")
        n, mins = minutes(work / "sales")
        print(f"build sales_pov + audio (--jobs {os.cpu_count()}): {wall:.1f} s wall, {n} calls, "
              f"{mins:.1f} min of audio ({mins * 60 / wall:.0f}x real time)")
        wall = build(ROOT / "examples/contact_center.corpus", work / "cc")
        n, mins = minutes(work / "cc")
        print(f"build contact_center (telephony, --jobs {os.cpu_count()}): {wall:.1f} s wall, {n} voice calls, "
              f"{mins:.1f} min of audio ({mins * 60 / wall:.0f}x real time)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
