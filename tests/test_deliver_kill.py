"""SIGKILL the deliverer mid-run, rerun the same command, and count at the
receiver by Idempotency-Key: every payload confirmed, the rerun sends exactly
what the journal had not confirmed, and nothing confirmed is sent again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from .deliver_corpus import vcp_corpus
from .receiver import Act, Receiver

N = 80


def test_sigkill_mid_run_then_rerun_loses_nothing_and_repeats_nothing(tmp_path):
    vcp_corpus(tmp_path, N)

    def behave(key, n):
        return Act(delay=0.01)

    with Receiver(behave) as rec:
        def cmd(run: str) -> list[str]:
            return [sys.executable, "-m", "corpusc", "deliver", "vcp", str(tmp_path), "--url", rec.url,
                    "--rps", "60", "--concurrency", "4", "--header", f"X-Run: {run}"]

        env = dict(os.environ, PYTHONUNBUFFERED="1")
        p = subprocess.Popen(cmd("1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + 30
        while len(rec.requests) < N // 3 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.005)
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert p.returncode == -signal.SIGKILL
        first = {r.key for r in rec.requests}
        assert N // 3 <= len(first) < N  # killed mid-run

        db = sqlite3.connect(tmp_path / ".corpusc" / "delivery.sqlite")
        journaled = {k for (k,) in db.execute("SELECT key FROM deliveries WHERE status='delivered'")}
        db.close()
        assert journaled and journaled <= set(rec.confirmed)  # only what the receiver confirmed

        r2 = subprocess.run(cmd("2"), capture_output=True, text=True, env=env, timeout=60)
        assert r2.returncode == 0, r2.stdout + r2.stderr

        every = {r.key for r in rec.requests}
        rerun = [r.key for r in rec.requests if r.headers.get("X-Run") == "2"]
    assert len(every) == N and len(rec.confirmed) == N  # nothing lost
    assert set(rerun) == every - journaled  # exactly the unconfirmed ones were sent again
    assert len(rerun) == len(set(rerun))
    assert not journaled & set(rerun)  # nothing confirmed was sent twice
    twice = {k for k, c in rec.confirmed.items() if c > 1}
    # a key the receiver answered 2xx twice can only be one whose answer was
    # in flight when the process died (never journaled), at most one per connection
    assert not twice & journaled and len(twice) <= 4
    assert f"{N - len(journaled)} sent now, {len(journaled)} confirmed before" in r2.stdout
