"""Stopping a build from outside, with real processes and real signals: a
main process killed outright takes its workers with it (none goes on
writing or holds the stage), SIGTERM and Ctrl-C (SIGINT) stop a build
keeping every finished call, a dead build's stage is removed by the next
build, and the progress advances call by call."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import EXAMPLES

CALLS = 10


@pytest.fixture
def spec(tmp_path) -> Path:
    """contact_center with CALLS calls: stereo audio makes each call slow
    (about half a second), so a signal lands mid-build."""
    text = (EXAMPLES / "contact_center.corpus").read_text()
    assert "volume 40 per day" in text
    p = tmp_path / "cc.corpus"
    p.write_text(text.replace("volume 40 per day", f"volume {CALLS // 5} per day"))
    return p


def descendants(pid: int) -> list[int]:
    """Processes below `pid` (its workers, and the fork server that starts
    them), from /proc."""
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            parent[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        todo += kids
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def start(spec: Path, out: Path, method: str | None = None) -> subprocess.Popen:
    """A build with 2 workers; `method` forces how they start (a small spec
    forks them, a large one starts them from a fork server)."""
    env = dict(os.environ, CORPUSC_START=method) if method else None
    return subprocess.Popen([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for(cond, seconds: float = 120) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


def staged_audio(out: Path) -> int:
    return len(list(out.glob(".corpusc/stage-*/audio/*.wav")))


def rebuild(spec: Path, out: Path) -> tuple[int, int]:
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "2"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rendered, unchanged = r.stdout.split(": ", 1)[1].split(" calls rendered, ")
    return int(rendered), int(unchanged.split(" unchanged")[0])


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_workers_die_with_a_killed_build_and_the_rerun_keeps_its_work(spec, tmp_path, method):
    out = tmp_path / "out"
    p = start(spec, out, method)
    assert wait_for(lambda: staged_audio(out) >= 4), "the build never got going"
    workers = descendants(p.pid)
    assert workers, "no worker processes"
    os.kill(p.pid, signal.SIGKILL)  # the main process alone, as the OOM killer does
    p.wait()
    assert wait_for(lambda: not any(alive(w) for w in workers), 30), "a worker outlived its build"
    stages = list(out.glob(".corpusc/stage-*"))
    assert stages  # the killed build's stage, unlocked now that every worker is gone
    rendered, unchanged = rebuild(spec, out)
    assert unchanged >= 1 and rendered + unchanged == CALLS  # what the dead build recorded is kept
    assert not list(out.glob(".corpusc/stage-*")) and not list(out.rglob("*.tmp"))
    v = subprocess.run([sys.executable, "-m", "corpusc", "verify", str(out)], capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_build_keeps_every_finished_call(spec, tmp_path, sig):
    out = tmp_path / "out"
    p = start(spec, out)
    assert wait_for(lambda: staged_audio(out) >= 4), "the build never got going"
    workers = descendants(p.pid)
    os.kill(p.pid, sig)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 128 + sig, p.returncode  # 143 for SIGTERM, 130 for Ctrl-C, as shells report them
    assert "the calls finished so far are kept" in err and "run the same build again" in err, err
    # the workers have returned; they and the fork server end with the pool
    assert wait_for(lambda: not any(alive(w) for w in workers), 30), "a worker outlived its build"
    doc = json.loads((out / "manifest.json").read_text())
    kept = doc["calls"]
    assert 1 <= len(kept) < CALLS, len(kept)  # stopped mid-build, every finished call listed
    for entry in kept.values():
        for rel in entry["files"]:
            assert (out / rel).is_file()
    assert not list(out.glob(".corpusc/stage-*"))
    rendered, unchanged = rebuild(spec, out)
    assert unchanged == len(kept) and rendered == CALLS - len(kept)


def test_the_stage_of_a_running_build_is_left_alone(spec, tmp_path):
    """A stage whose lock is held (a build running now, e.g. another shard)
    is neither recovered nor removed, nor are the temporary files beside."""
    import fcntl

    from corpusc.builder import staging
    out = tmp_path / "out"
    live = out / staging.STAGES / "stage-1-live"
    live.mkdir(parents=True)
    (live / "transcripts").mkdir()
    (live / "transcripts" / "x.txt").write_text("half")
    tmp = out / "transcripts" / ".x.txt.123.tmp"
    tmp.parent.mkdir(parents=True)
    tmp.write_text("half")
    with open(live / staging.LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "1",
                            "--only", "transcripts"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert (live / "transcripts" / "x.txt").is_file() and tmp.is_file()
    dead = out / staging.STAGES / "stage-2-dead"
    dead.mkdir()
    (dead / staging.LOCK).write_text("")
    subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "1",
                    "--only", "transcripts"], capture_output=True, text=True, check=True)
    assert not live.exists() and not dead.exists() and not tmp.exists()


def test_progress_advances_call_by_call(tmp_path):
    """Workers count every call: the bar moves while a work unit (up to a
    thousand calls) is still being rendered, not once per unit."""
    from corpusc.builder.compile import compile_spec
    from corpusc.builder.executor import build
    from corpusc.diagnostics.model import Sink
    text = (EXAMPLES / "contact_center.corpus").read_text().replace("volume 40 per day", "volume 1 per day")
    p = tmp_path / "cc.corpus"
    p.write_text(text)
    compiled = compile_spec(str(p), Sink())
    for jobs in (1, 2):
        steps: list[int] = []
        build(compiled, str(p), tmp_path / f"out{jobs}", jobs=jobs, progress=steps.append, only=["transcripts"])
        assert sum(steps) == 5
        if jobs == 1:
            assert steps == [1] * 5
    steps = []
    build(compiled, str(p), tmp_path / "audio", jobs=2, progress=steps.append, only=["audio"])
    assert sum(steps) == 5 and len(steps) > 1  # one unit of 5 calls, about a second of audio each
