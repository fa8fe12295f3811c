"""VCP payloads at scale, side by side with the VoiceLens seeder (seed 002).

    python benchmarks/bench_vcp.py                 # corpusc at 18,000 and 180,000 payloads
    VOICELENS_PYTHON=/path/to/venv/bin/python python benchmarks/bench_vcp.py
                                                   # + VoiceLens's generator, same count, same machine
    CORPUSC_PYTHON=/path/to/other/venv/bin/python ...
                                                   # corpusc from its own venv (`pip install .`), as
                                                   # VoiceLens runs from its own; default: this Python

corpusc builds the HVAC population of examples/hvac_60d.corpus scaled to N
calls, `--only vcp --jobs 2`, one JSON file per call. Wall time and peak RSS
(the process and its workers, from wait4's rusage) are measured per run;
determinism is checked by building twice and comparing every byte.
VoiceLens runs `python -m voicelens_seeder.cli generate conversations --count N`
from its own checkout (clone prompted365/voicelens-scripts, `pip install -e .`
into a separate venv); its code is never part of corpusc.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hvac_60d.corpus"


def user_env(**extra: str) -> dict[str, str]:
    """The environment of a user's machine: modules load from bytecode (this
    sandbox sets PYTHONDONTWRITEBYTECODE, which recompiles every module of
    either tool on every start)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of the command and all its children.
    The disk's dirty pages are flushed first, so no run pays for the write-back
    of the one before it (on this VM that alone swings a run by seconds)."""
    os.sync()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}):\n{err[-2000:]}")
    # ru_maxrss of a waited child is the largest RSS among it and its waited descendants
    return wall, ru.ru_maxrss / 1024


def spec_for(count: int, work: Path) -> Path:
    text = EXAMPLE.read_text()
    text = re.sub(r"count 1800\b", f"count {count}", text)
    p = work / f"hvac_{count}.corpus"
    p.write_text(text)
    return p


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*.json")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def corpusc(count: int, work: Path, jobs: int = 2, rerun: bool = True) -> dict:
    spec = spec_for(count, work)
    out = work / f"out_{count}"
    shutil.rmtree(out, ignore_errors=True)
    env = user_env(CORPUSC_NO_CACHE="1")
    python = os.environ.get("CORPUSC_PYTHON") or sys.executable
    cmd = [python, "-m", "corpusc", "build", str(spec), "-o", str(out), "--only", "vcp", "--jobs", str(jobs)]
    # run from the work folder: in a checkout, `-m corpusc` would find the source tree first
    run([python, "-m", "corpusc", "--version"], cwd=work, env=env)  # bytecode written, as after installing
    wall, rss = run(cmd, cwd=work, env=env)
    files = sum(1 for _ in (out / "vcp").iterdir())
    same = None
    if rerun:
        first = digest(out / "vcp")
        again = work / f"again_{count}"
        shutil.rmtree(again, ignore_errors=True)
        run(cmd[:6] + [str(again)] + cmd[7:], cwd=work, env=env)
        same = digest(again / "vcp") == first
        shutil.rmtree(again, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return {"count": count, "files": files, "wall": wall, "rss_mb": rss, "per_s": count / wall,
            "byte_identical": same}


def voicelens(count: int, work: Path, python: str) -> dict:
    out = work / f"voicelens_{count}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    cmd = [python, "-m", "voicelens_seeder.cli", "generate", "conversations", "--count", str(count),
           "--out", str(out), "--seed", "42"]
    run(cmd[:5] + ["--count", "10", "--out", str(out / "warm"), "--seed", "42"], cwd=out, env=user_env())  # warm-up
    shutil.rmtree(out / "warm", ignore_errors=True)
    wall, rss = run(cmd, cwd=out, env=user_env())
    files = sum(1 for p in out.rglob("*.json"))
    shutil.rmtree(out, ignore_errors=True)
    return {"count": count, "files": files, "wall": wall, "rss_mb": rss, "per_s": count / wall}


def main() -> None:
    """ROUNDS (default 3) rounds at 18,000 payloads, VoiceLens and corpusc
    taking turns, so a slow spell of the machine hits both; the medians are
    compared. Then corpusc once at 180,000."""
    base = os.environ.get("BENCH_DIR")
    rounds = max(1, int(os.environ.get("ROUNDS", "3")))
    work = Path(tempfile.mkdtemp(prefix="corpusc-bench-vcp-", dir=base)).resolve()
    try:
        vl = os.environ.get("VOICELENS_PYTHON")
        theirs, ours = [], []
        for i in range(rounds):
            if vl:
                r = voicelens(18_000, work, vl)
                theirs.append(r)
                print(f"VoiceLens  18,000: {r['wall']:.2f} s, {r['per_s']:,.0f} payloads/s, "
                      f"peak {r['rss_mb']:.0f} MB, {r['files']} files", flush=True)
            r = corpusc(18_000, work, rerun=i == 0)
            ours.append(r)
            print(f"corpusc    18,000: {r['wall']:.2f} s, {r['per_s']:,.0f} payloads/s, "
                  f"peak {r['rss_mb']:.0f} MB (main and workers), {r['files']} files"
                  + (f", byte-identical rerun: {r['byte_identical']}" if i == 0 else ""), flush=True)
        r = corpusc(180_000, work)
        print(f"corpusc   180,000: {r['wall']:.2f} s, {r['per_s']:,.0f} payloads/s, "
              f"peak {r['rss_mb']:.0f} MB (main and workers), {r['files']} files, "
              f"byte-identical rerun: {r['byte_identical']}", flush=True)
        mine = statistics.median(x["wall"] for x in ours)
        print(f"corpusc median of {rounds} at 18,000: {mine:.2f} s", flush=True)
        if vl:
            other = statistics.median(x["wall"] for x in theirs)
            print(f"VoiceLens median of {rounds} at 18,000: {other:.2f} s")
            print(f"corpusc is {other / mine:.2f}x faster at 18,000 payloads (medians)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
