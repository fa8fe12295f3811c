"""Measure `corpusc build` as a user runs it (cold processes).

    python benchmarks/bench_build.py

Reports: the full offline build of examples/sales_pov.corpus (all transcript
formats + ground truth); a generated population corpus of 10,000 and 50,000
calls with transcripts (txt+json) + ground truth at --jobs 2 (calls/s, peak RSS
of the main process and of the largest worker); a no-op rebuild of the 10,000;
and the transcript quality figures of sales_pov from its coverage.json;
then 10,000 generated sales calls (3,334 accounts, txt+json + ground truth)
at --jobs 1 and 2: peak RSS, CPU seconds (the main process and its workers)
and calls per CPU-second (`python benchmarks/bench_build.py sales` runs
only this part).

`python benchmarks/bench_build.py populations` builds examples/hvac_60d
and an 18,000-call population (txt+json + ground truth) at --jobs 1 and 2;
`python benchmarks/bench_build.py check` runs `corpusc check` on every
example: CPU seconds, the median of RUNS (default 7) runs each. Compare two
installs by running the same command with each one's python (a wheel
install: an editable one recompiles every module when
PYTHONDONTWRITEBYTECODE is set).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gen_spec import population_spec, sales_spec

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], cpu: list | None = None) -> tuple[float, int, int]:
    """Wall seconds, peak RSS of the main process and of the largest child (KB);
    CPU seconds (user + system, the process and its children) appended to `cpu`."""
    t = time.perf_counter()
    # the executable's own entry (`run`, which leaves by os._exit): the peaks
    # are printed on the way out
    code = ("import os, resource, sys; sys.argv = ['corpusc'] + sys.argv[1:]\n"
            "def rss():\n    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "    print('RSS', s.ru_maxrss, c.ru_maxrss, s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime,"
            " file=sys.stderr, flush=True)\n"
            "leave, me = os._exit, os.getpid()\n"
            # a forked worker leaves by the same os._exit: only the build's own process prints
            # (two printing at once ran their lines together: 'too many values to unpack')
            "def _exit(code):\n    if os.getpid() == me:\n        rss()\n    leave(code)\n"
            "os._exit = _exit\n"
            "from corpusc.cli.main import run\n"
            "try:\n    run()\n"
            "except SystemExit:\n    rss()\n    raise")
    # as on a user's machine, modules load from bytecode (this sandbox sets
    # PYTHONDONTWRITEBYTECODE, which recompiles every module on every start)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    import threading
    peaks: dict[int, int] = {}
    watcher = threading.Thread(target=_watch, args=(proc, peaks), daemon=True)
    watcher.start()
    stdout, stderr = proc.communicate()
    watcher.join()
    p = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    while True:  # the fork server and its workers end after the build: reaped here (see `subreaper`)
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build, its fork server and workers
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(p.stderr)
    line = next(x for x in p.stderr.splitlines() if x.startswith("RSS "))
    _, main, child, _ = line.split()
    child = max([int(child)] + [kb for pid, kb in peaks.items() if pid != proc.pid])
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall, int(main), int(child)


def sales(d: Path, count: int = 10_000) -> None:
    spec = d / f"sales{count}.corpus"
    spec.write_text(sales_spec(count))
    check: list[float] = []
    run(["check", str(spec)], check)  # the compile alone (the spec is 116,000 lines)
    run(["check", str(spec)], check)  # again, from the parse cache, as the builds below
    print(f"{count} sales calls: compile alone {check[1]:.1f} CPU-s")
    for jobs in (1, 2):
        o = d / f"sales{count}-{jobs}"
        cpu: list[float] = []
        wall, rss, child = run(["build", str(spec), "-o", str(o), "--jobs", str(jobs)], cpu)
        print(f"  --jobs {jobs}: {wall:.1f} s, {cpu[0]:.1f} CPU-s = {count / cpu[0]:.0f} calls per CPU-second "
              f"({count / (cpu[0] - check[1]):.0f} without the compile); peak RSS main {rss / 1024:.0f} MB, "
              f"largest worker {child / 1024:.0f} MB")
        shutil.rmtree(o)


def populations(d: Path, runs: int) -> None:
    """CPU seconds (median of `runs`) of population builds, cold each time."""
    specs = [("hvac_60d", ROOT / "examples" / "hvac_60d.corpus")]
    big = d / "pop18000.corpus"
    big.write_text(population_spec(18_000, emit=True))
    specs.append(("18,000-call population", big))
    for name, spec in specs:
        for jobs in (1, 2):
            cpu: list[float] = []
            rss = 0
            for i in range(runs):
                o = d / f"pop-{jobs}-{i}"
                _, rss, _ = run(["build", str(spec), "-o", str(o), "--jobs", str(jobs)], cpu)
                shutil.rmtree(o)
            print(f"{name} --jobs {jobs}: {statistics.median(cpu):.2f} CPU-s (median of {runs}; "
                  f"min {min(cpu):.2f}, max {max(cpu):.2f}); peak RSS main {rss / 1024:.0f} MB")


def check(runs: int) -> None:
    """`corpusc check` of each example: CPU seconds, median of `runs`."""
    total = 0.0
    for spec in sorted((ROOT / "examples").glob("*.corpus")):
        cpu: list[float] = []
        for _ in range(runs):
            run(["check", str(spec)], cpu)
        total += statistics.median(cpu)
        print(f"check {spec.name}: {statistics.median(cpu):.3f} CPU-s (min {min(cpu):.3f}, max {max(cpu):.3f})")
    print(f"check, all examples: {total:.3f} CPU-s (sum of the medians)")


def _watch(proc: subprocess.Popen, peaks: dict[int, int]) -> None:
    """Peak RSS (VmHWM, KB) of every process below `proc` while it runs: the
    workers are the fork server's children, whose usage the build never reaps."""
    while proc.poll() is None:
        parent = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    parent[int(d)] = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    pass
        below, todo = [], [proc.pid]
        while todo:
            top = todo.pop()
            kids = [c for c, pp in parent.items() if pp == top]
            below += kids
            todo += kids
        for pid in below:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = max(peaks.get(pid, 0), int(line.split()[1]))
            except OSError:
                pass
        time.sleep(0.2)


def subreaper() -> None:
    """Orphans of the builds (the fork server outlives the main process by a
    moment, with the workers it reaped) come to this process (Linux), so
    their CPU time is counted."""
    import ctypes
    try:
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def main() -> None:
    subreaper()
    runs = int(os.environ.get("RUNS", "7"))
    if sys.argv[1:] == ["sales"]:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as d:
            sales(Path(d))
        return
    if sys.argv[1:] == ["populations"]:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as d:
            populations(Path(d), runs)
        return
    if sys.argv[1:] == ["check"]:
        check(runs)
        return
    # BENCH_DIR=/dev/shm measures the CPU side alone (this VM's disk write-back is noisy)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as d:
        d = Path(d)
        out = d / "sales"
        wall, rss, child = run(["build", str(ROOT / "examples" / "sales_pov.corpus"), "-o", str(out)])
        print(f"sales_pov full build (14 calls, all formats + ground truth): {wall:.2f} s")
        q = json.loads((out / "coverage.json").read_text())["quality"]
        print(f"  quality: distinct-2 {q['distinct_2']}, verbatim-duplicate substantive turns "
              f"{q['duplicate_substantive_share'] * 100:.2f}%, turns/call {q['turns_per_call']}")
        for count in (10_000, 50_000):
            spec = d / f"gen{count}.corpus"
            spec.write_text(population_spec(count, emit=True))
            o = d / f"gen{count}"
            wall, rss, child = run(["build", str(spec), "-o", str(o), "--jobs", "2"])
            print(f"{count} calls, --jobs 2: {wall:.2f} s = {count / wall:.0f} calls/s; peak RSS main "
                  f"{rss / 1024:.0f} MB, largest worker {child / 1024:.0f} MB")
            if count == 10_000:
                wall2, _, _ = run(["build", str(spec), "-o", str(o), "--jobs", "2"])
                print(f"  no-op rebuild: {wall2:.2f} s = {wall2 / wall * 100:.1f}% of the full build")
            shutil.rmtree(o)
        sales(d)


if __name__ == "__main__":
    main()
