"""How fast a build stops, as a user stops it (issue 14 §7: within 2 s).

    python benchmarks/bench_stop.py [--calls-per-day 8]

Starts `corpusc build examples/contact_center.corpus --jobs 2` (its audio
makes each call slow enough to land a signal mid-build), waits until a few
calls are staged, then sends kill -9, SIGTERM or SIGINT (Ctrl-C) to the main
process and reports: its exit code, how long it took to exit, how long its
workers outlived the signal (from /proc), the calls the manifest kept, and
what the rerun did (calls rendered / unchanged, stages left, verify's exit
code). A figure, not a test: the tests (tests/test_build_stop.py) prove the
behaviour through real processes without asserting wall-clock times.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUSC = [sys.executable, "-m", "corpusc"]


def descendants(pid: int) -> list[int]:
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                parent[int(d)] = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    out, todo = [], [pid]
    while todo:
        top = todo.pop()
        kids = [c for c, pp in parent.items() if pp == top]
        out += kids
        todo += kids
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def one(spec: Path, out: Path, sig: signal.Signals) -> str:
    shutil.rmtree(out, ignore_errors=True)
    p = subprocess.Popen([*CORPUSC, "build", str(spec), "-o", str(out), "--jobs", "2"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 300 and len(list(out.glob(".corpusc/stage-*/audio/*.wav"))) < 4:
        time.sleep(0.02)
    workers = descendants(p.pid)
    t = time.monotonic()
    os.kill(p.pid, sig)
    p.wait()
    exited = time.monotonic() - t
    while any(alive(w) for w in workers) and time.monotonic() - t < 60:
        time.sleep(0.01)
    gone = time.monotonic() - t
    p.stderr.close()
    m = out / "manifest.json"
    kept = len(json.loads(m.read_text())["calls"]) if m.is_file() else 0
    r = subprocess.run([*CORPUSC, "build", str(spec), "-o", str(out), "--jobs", "2"], capture_output=True, text=True)
    rerun = r.stdout.split(": ", 1)[-1].split(" files")[0].strip()
    stages = len(list(out.glob(".corpusc/stage-*")))
    v = subprocess.run([*CORPUSC, "verify", str(out)], capture_output=True, text=True).returncode
    return (f"{sig.name:8} rc {p.returncode:4}  main exited {exited:5.2f} s  {len(workers)} worker(s) gone "
            f"{gone:5.2f} s after  manifest kept {kept:3}  rerun: {rerun}; stages left {stages}; verify rc {v}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls-per-day", type=int, default=8)
    args = ap.parse_args()
    text = (ROOT / "examples" / "contact_center.corpus").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as d:
        spec = Path(d) / "cc.corpus"
        spec.write_text(text.replace("volume 40 per day", f"volume {args.calls_per_day} per day"), encoding="utf-8")
        for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
            print(one(spec, Path(d) / f"out-{sig.name}", sig), flush=True)


if __name__ == "__main__":
    main()
