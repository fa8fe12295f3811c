"""Measure `corpusc deliver` against a local receiver on 127.0.0.1 that this
script starts (threads in this process; the deliverer runs as a separate
process, as a user runs it).

    python benchmarks/bench_deliver.py            # everything (~2.5 min: 1,000 requests at 10/s alone take 100 s)
    python benchmarks/bench_deliver.py --quick    # 300 requests at 10/s instead of 1,000

Reports: the achieved rate at --rps 10, 50 and 200 (from the receiver's arrival
times, and as the report computes it), requests/s unlimited at concurrency
64, and a chaos run (20% HTTP 500, 5% answers slower than the timeout, 5% 429
with Retry-After, 3% dropped connections) that must end with every payload
confirmed exactly once at the receiver and the report's counts equal to the
receiver's.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.deliver_corpus import vcp_corpus  # noqa: E402
from tests.receiver import Act, Receiver  # noqa: E402


def deliver(out: Path, url: str, *args: str) -> tuple[int, dict, float]:
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "corpusc", "deliver", "vcp", str(out), "--url", url, "--restart",
                        *args], capture_output=True, text=True)
    wall = time.perf_counter() - t
    report = json.loads((out / "delivery_report.json").read_text())
    if p.returncode != 0:
        print(p.stdout[-2000:], p.stderr[-2000:], file=sys.stderr)
    return p.returncode, report, wall


def rate(times: list[float]) -> float:
    times = sorted(times)
    return (len(times) - 1) / (times[-1] - times[0])


def rate_runs(out: Path, plan: list[tuple[int, int]]) -> None:
    for rps, n in plan:
        with Receiver(keep_bodies=False) as rec:
            code, rep, wall = deliver(out, rec.url, "--rps", str(rps), "--concurrency", "8")
            got = rate(rec.times()[:n])
        dev = (got - rps) / rps * 100
        print(f"--rps {rps:>3}: {n} requests, receiver-measured {got:.2f} req/s ({dev:+.2f}%), report "
              f"{rep['achieved_rps']} req/s, exit {code}, wall {wall:.1f} s, "
              f"latency p50/p95/p99 {rep['latency_ms']['p50']}/{rep['latency_ms']['p95']}/{rep['latency_ms']['p99']} ms"
              f" -> {'OK' if abs(dev) <= 5 else 'OUTSIDE ±5%'}")


def unlimited(out: Path, n: int) -> None:
    with Receiver(keep_bodies=False) as rec:
        code, rep, wall = deliver(out, rec.url, "--rps", "0", "--concurrency", "64")
        got = rate(rec.times())
    print(f"--rps 0 --concurrency 64: {n} requests, receiver-measured {got:.0f} req/s, report {rep['achieved_rps']} "
          f"req/s, exit {code}, wall {wall:.1f} s (process start included), latency p50/p99 "
          f"{rep['latency_ms']['p50']}/{rep['latency_ms']['p99']} ms")


def chaos(out: Path, n: int, timeout: float = 0.5) -> bool:
    def draw(key: str, k: int) -> float:
        return int.from_bytes(hashlib.sha256(f"{key}/{k}".encode()).digest()[:8], "big") / 2 ** 64

    def behave(key: str, k: int) -> Act:
        r = draw(key, k)
        if r < 0.20:
            return Act(status=500, body=b"internal error")
        if r < 0.25:
            return Act(status=503, delay=timeout + 0.3)  # the client gives up first
        if r < 0.30:
            return Act(status=429, retry_after="1")
        if r < 0.33:
            return Act(drop=True)
        return Act()

    with Receiver(behave, keep_bodies=False) as rec:
        code, rep, wall = deliver(out, rec.url, "--rps", "200", "--concurrency", "32", "--retries", "12",
                                  "--timeout", str(timeout), "--backoff-base", "0.05", "--backoff-max", "2")
        time.sleep(timeout + 0.5)  # let the slow handlers finish before counting
        acts = Counter()
        for r in rec.requests:
            a = r.act
            acts["drop" if a.drop else "slow" if a.delay else str(a.status)] += 1
        confirmed = rec.confirmed
        requests = len(rec.requests)
    lost = n - len(confirmed)
    twice = sum(1 for c in confirmed.values() if c > 1)
    checks = {
        "exit 0": code == 0,
        "every payload confirmed": len(confirmed) == n and rep["confirmed"] == n,
        "zero lost": lost == 0,
        "zero confirmed twice": twice == 0,
        "requests": rep["requests"] == requests,
        "HTTP 200": rep["status_counts"].get("200", 0) == acts["200"],
        "HTTP 500": rep["status_counts"].get("500", 0) == acts["500"],
        "HTTP 429": rep["status_counts"].get("429", 0) == acts["429"],
        "timeouts": rep["errors"].get("timeout", 0) == acts["slow"],
        "dropped": rep["errors"].get("connection", 0) == acts["drop"],
        "retried": rep["retried"] == requests - n,
    }
    print(f"chaos: {n} payloads, {requests} requests at the receiver ({acts['500']} x 500, {acts['slow']} slower "
          f"than {timeout} s, {acts['429']} x 429 Retry-After 1, {acts['drop']} dropped, {acts['200']} x 200); "
          f"report: sent {rep['sent']}, requests {rep['requests']}, retried {rep['retried']}, statuses "
          f"{rep['status_counts']}, errors {rep['errors']}, failed {rep['failed']}; lost {lost}, confirmed twice "
          f"{twice}; wall {wall:.1f} s")
    bad = [k for k, ok in checks.items() if not ok]
    print("  checks: " + ("all pass (" + ", ".join(checks) + ")" if not bad else "FAILED: " + ", ".join(bad)))
    return not bad


def main() -> None:
    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as d:
        out = Path(d) / "c"
        out.mkdir()
        vcp_corpus(out, 1000)
        rate_runs(out, [(200, 1000), (50, 1000)])
        big = Path(d) / "big"
        big.mkdir()
        vcp_corpus(big, 5000)
        unlimited(big, 5000)
        ok = chaos(out, 1000)
        if quick:
            small = Path(d) / "small"
            small.mkdir()
            vcp_corpus(small, 300)
            rate_runs(small, [(10, 300)])
        else:
            rate_runs(out, [(10, 1000)])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
