"""`corpusc deliver vcp`: against a receiver on 127.0.0.1 that the tests start.
Rates are measured from the receiver's arrival times, with tolerance."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from pathlib import Path

import pytest

from .deliver_corpus import vcp_corpus
from .receiver import Act, Receiver

FAST = ("--backoff-base", "0.01", "--backoff-max", "0.05")


def deliver(cli, out: Path, url: str, *args: str):
    return cli("deliver", "vcp", str(out), "--url", url, *args)


def report(out: Path) -> dict:
    return json.loads((out / "delivery_report.json").read_text())


def test_delivers_every_payload_in_manifest_order_with_stable_keys(cli, tmp_path):
    ids = vcp_corpus(tmp_path, 12)
    with Receiver() as rec:
        status, out = deliver(cli, tmp_path, rec.url + "/hook", "--concurrency", "1", "--rps", "0")
        assert status == 0, out
        first = [(r.key, r.body, r.headers["Content-Type"], r.path) for r in rec.requests]
        status, out2 = deliver(cli, tmp_path, rec.url + "/hook", "--rps", "0")
        assert status == 0 and len(rec.requests) == 12  # all confirmed: nothing sent again
        assert "0 sent now, 12 confirmed before" in out2
        status, _ = deliver(cli, tmp_path, rec.url + "/hook", "--rps", "0", "--restart", "--concurrency", "1")
        again = [r.key for r in rec.requests[12:]]
    assert [k.split(":")[0] for k, *_ in first] == ids
    for cid, (key, body, ctype, path) in zip(ids, first):
        assert body == (tmp_path / "vcp" / f"{cid}.json").read_bytes()
        assert key == f"{cid}:{hashlib.sha256(body).hexdigest()}"
        assert ctype == "application/json" and path == "/hook"
    assert again == [k for k, *_ in first]  # the same keys on every run
    doc = report(tmp_path)
    assert doc["sent"] == 12 and doc["confirmed"] == 12 and doc["complete"] and doc["requests"] == 12
    assert doc["status_counts"] == {"200": 12} and doc["latency_ms"]["p99"] is not None


def test_without_manifest_sorted_files_are_sent(cli, tmp_path):
    ids = vcp_corpus(tmp_path, 3, manifest=False)
    with Receiver() as rec:
        status, out = deliver(cli, tmp_path, rec.url, "--concurrency", "1", "--rps", "0")
    assert status == 0, out
    assert [r.key.split(":")[0] for r in rec.requests] == ids


def test_rate_limit_is_global_across_connections(cli, tmp_path):
    vcp_corpus(tmp_path, 61)
    with Receiver() as rec:
        status, out = deliver(cli, tmp_path, rec.url, "--rps", "40", "--concurrency", "16")
        times = rec.times()
    assert status == 0, out
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert 40 * 0.9 <= rate <= 40 * 1.1, rate
    # no burst: within any half second, at most the budget plus scheduling slack
    worst = max(sum(1 for u in times if t <= u < t + 0.5) for t in times)
    assert worst <= 40 * 0.5 + 3, worst
    # the deliverer's own figure spans its start and its last confirmation as well: a loaded machine
    # (the suite runs on every core) has read 35.5 with the receiver's rate inside its 10%
    assert 34 <= report(tmp_path)["achieved_rps"] <= 44


@pytest.mark.parametrize("cap", [3, 20])  # 20: several connection pools share the cap
def test_unlimited_rate_is_capped_by_concurrency(cli, tmp_path, cap):
    import threading
    import time
    vcp_corpus(tmp_path, cap * 5)
    inflight = [0, 0]
    cond = threading.Condition()

    def behave(key, n):
        with cond:
            inflight[0] += 1
            inflight[1] = max(inflight[1], inflight[0])
            cond.notify_all()
            # held until the client has had `cap` requests out at once (or 3 s): with a fixed 50 ms a loaded
            # machine saw at most 18 of 20 in flight (the client opened connections slower than they finished),
            # so the bound below read the machine's load, not the client's cap
            cond.wait_for(lambda: inflight[1] >= cap, timeout=3.0)
        time.sleep(0.01)
        with cond:
            inflight[0] -= 1
        return Act()

    with Receiver(behave) as rec:
        status, out = deliver(cli, tmp_path, rec.url, "--rps", "0", "--concurrency", str(cap))
        assert len(rec.requests) == cap * 5
    assert status == 0, out
    assert cap - 1 <= inflight[1] <= cap


def test_retries_5xx_429_timeouts_and_dropped_connections(cli, tmp_path):
    vcp_corpus(tmp_path, 8)
    script = {1: Act(status=500, body=b"oops"), 2: Act(status=429, retry_after="0"), 3: Act(drop=True),
              4: Act(status=503, delay=0.6), 5: Act(status=408)}

    with Receiver(lambda key, n: script.get(n, Act())) as rec:
        status, out = deliver(cli, tmp_path, rec.url, "--rps", "0", "--timeout", "0.3", *FAST)
        assert status == 0, out
        assert len(rec.requests) == 8 * 6
        assert set(rec.confirmed.values()) == {1} and len(rec.confirmed) == 8
    doc = report(tmp_path)
    assert doc["retried"] == 8 * 5 and doc["requests"] == 8 * 6
    assert doc["status_counts"] == {"200": 8, "408": 8, "429": 8, "500": 8}
    assert doc["errors"] == {"connection": 8, "timeout": 8}


def test_retry_after_is_honored(cli, tmp_path):
    vcp_corpus(tmp_path, 1)
    with Receiver(lambda key, n: Act(status=429, retry_after="1") if n == 1 else Act()) as rec:
        status, out = deliver(cli, tmp_path, rec.url, *FAST)
        t = rec.times()
    assert status == 0, out
    assert len(t) == 2 and t[1] - t[0] >= 0.95


def test_no_retry_on_400_then_only_failed(cli, tmp_path):
    ids = vcp_corpus(tmp_path, 6)
    bad = {ids[1], ids[4]}
    refusing = set(bad)

    def behave(key, n):
        return Act(status=400, body=b"field vcp_payload.call is invalid") if key.split(":")[0] in refusing else Act()

    with Receiver(behave) as rec:
        status, out = deliver(cli, tmp_path, rec.url, "--rps", "0", *FAST)
        assert status == 1
        assert len(rec.requests) == 6  # a 400 is not retried
        assert out.count("[E0807]") == 2 and "field vcp_payload.call is invalid" in out
        assert ids[1] in out and ids[4] in out and "4/6" in out
        doc = report(tmp_path)
        assert {f["call_id"] for f in doc["failures"]} == bad
        assert all(f["http_status"] == 400 and f["attempts"] == 1 and "invalid" in f["reason"]
                   for f in doc["failures"])
        refusing.clear()
        status, out = deliver(cli, tmp_path, rec.url, "--rps", "0", "--only-failed")
        assert status == 0, out
        assert {r.key.split(":")[0] for r in rec.requests[6:]} == bad and len(rec.requests) == 8


def test_only_failed_leaves_unsent_payloads_and_exits_1(cli, tmp_path):
    vcp_corpus(tmp_path, 3)
    with Receiver() as rec:
        status, out = deliver(cli, tmp_path, rec.url, "--only-failed")
        assert status == 1 and not rec.requests
    assert "3 payloads were never attempted" in out


def test_gives_up_after_retries(cli, tmp_path):
    vcp_corpus(tmp_path, 2)
    with Receiver(lambda key, n: Act(status=502, body=b"bad gateway")) as rec:
        status, out = deliver(cli, tmp_path, rec.url, "--rps", "0", "--retries", "2", *FAST)
        assert len(rec.requests) == 2 * 3
    assert status == 1 and out.count("[E0808]") == 2 and "gave up after 3 attempts" in out
    assert "HTTP 502: bad gateway" in out


def test_edited_payload_gets_a_new_key_and_a_warning(cli, tmp_path):
    ids = vcp_corpus(tmp_path, 2)
    with Receiver() as rec:
        assert deliver(cli, tmp_path, rec.url, "--rps", "0")[0] == 0
        p = tmp_path / "vcp" / f"{ids[0]}.json"
        p.write_text(p.read_text().replace('"synthetic"', '"retell"'))
        status, out = deliver(cli, tmp_path, rec.url, "--rps", "0")
        assert status == 0
        calls = [r.key.split(":")[0] for r in rec.requests]
        assert sorted(calls[:2]) == sorted(ids) and calls[2:] == [ids[0]]  # the first two race each other
        first = next(r.key for r in rec.requests[:2] if r.key.startswith(ids[0] + ":"))
        assert rec.requests[2].key != first
    assert "warning[E0811]" in out and "1 sent now, 1 confirmed before" in out


def test_dry_run_validates_and_sends_nothing(cli, tmp_path):
    ids = vcp_corpus(tmp_path, 3)
    with Receiver() as rec:
        status, out = deliver(cli, tmp_path, rec.url, "--dry-run")
        assert status == 0, out
        assert f"send  {ids[0]}  vcp/{ids[0]}.json" in out and "3 valid, 0 invalid" in out
        p = tmp_path / "vcp" / f"{ids[2]}.json"
        doc = json.loads(p.read_text())
        doc["vcp_payload"]["call"]["duration_sec"] = "about a minute"
        p.write_text(json.dumps(doc))
        status, out = deliver(cli, tmp_path, rec.url, "--dry-run")
        assert not rec.requests
    assert status == 1 and "[E0806]" in out and "vcp_payload.call.duration_sec" in out and "about a minute" in out
    assert f"vcp/{ids[2]}.json" in out and "2 valid, 1 invalid" in out
    assert not (tmp_path / "delivery_report.json").exists()
    assert not (tmp_path / ".corpusc" / "delivery.sqlite").exists()


@pytest.mark.parametrize("setup, args, code", [
    ("missing", ("--url", "http://127.0.0.1:9/x"), "E0801"),
    ("empty", ("--url", "http://127.0.0.1:9/x"), "E0801"),
    ("no_vcp", ("--url", "http://127.0.0.1:9/x"), "E0802"),
    ("ok", ("--url", "ftp://127.0.0.1/x"), "E0803"),
    ("ok", ("--url", "not a url"), "E0803"),
    ("ok", ("--url", "http://127.0.0.1:99999/x"), "E0803"),
    ("ok", (), "E0803"),
    ("ok", ("--url", "http://127.0.0.1:9/x", "--header", "no-colon-here"), "E0804"),
    ("ok", ("--url", "http://127.0.0.1:9/x", "--header", "Idempotency-Key: mine"), "E0804"),
    ("ok", ("--url", "http://127.0.0.1:9/x", "--token-env", "CORPUSC_TEST_UNSET_TOKEN"), "E0809"),
    ("broken", ("--url", "http://127.0.0.1:9/x"), "E0805"),
])
def test_bad_input_is_a_diagnostic(cli, tmp_path, setup, args, code, monkeypatch):
    monkeypatch.delenv("CORPUSC_TEST_UNSET_TOKEN", raising=False)
    out_dir = tmp_path / "corpus"
    if setup != "missing":
        out_dir.mkdir()
    if setup == "no_vcp":
        (out_dir / "manifest.json").write_text(json.dumps({"calls": {"a.1": {"index": 0, "files": {"x/a.txt": "0"}}}}))
    if setup in ("ok", "broken"):
        ids = vcp_corpus(out_dir, 2)
        if setup == "broken":
            (out_dir / "vcp" / f"{ids[0]}.json").write_text("{not json")
    status, out = cli("deliver", "vcp", str(out_dir), *args, "--retries", "0")
    assert status == 1, out
    assert f"[{code}]" in out and "Traceback" not in out


def test_a_second_run_on_the_same_directory_is_refused(cli, tmp_path):
    import fcntl
    vcp_corpus(tmp_path, 1)
    (tmp_path / ".corpusc").mkdir()
    with open(tmp_path / ".corpusc" / "delivery.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        status, out = deliver(cli, tmp_path, "http://127.0.0.1:9/x")
    assert status == 1 and "[E0810]" in out and "another `corpusc deliver` is running" in out


def test_journal_marks_delivered_only_after_2xx(cli, tmp_path):
    ids = vcp_corpus(tmp_path, 4)
    with Receiver(lambda key, n: Act(status=404, body=b"nope") if key.startswith(ids[0]) else Act()) as rec:
        assert deliver(cli, tmp_path, rec.url, "--rps", "0")[0] == 1
    db = sqlite3.connect(tmp_path / ".corpusc" / "delivery.sqlite")
    rows = dict(db.execute("SELECT call_id, status FROM deliveries"))
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert rows == {ids[0]: "failed", ids[1]: "delivered", ids[2]: "delivered", ids[3]: "delivered"}


def test_a_new_destination_gets_every_payload(cli, tmp_path):
    vcp_corpus(tmp_path, 3)
    with Receiver() as a, Receiver() as b:
        assert deliver(cli, tmp_path, a.url, "--rps", "0")[0] == 0
        assert deliver(cli, tmp_path, b.url, "--rps", "0")[0] == 0
        assert len(a.requests) == 3 and len(b.requests) == 3


def test_backoff_full_jitter_and_retry_after_parsing():
    from corpusc.deliver.retry import backoff, retry_after, retryable_status
    rng = random.Random(1)
    waits = [backoff(3, 0.5, 30, rng) for _ in range(500)]
    assert 0 <= min(waits) < 0.5 and 3.0 < max(waits) <= 4.0
    assert max(backoff(20, 0.5, 30, rng) for _ in range(100)) <= 30
    assert retry_after("2") == 2.0 and retry_after("nonsense") is None and retry_after(None) is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after("999999") == 300.0
    assert [retryable_status(s) for s in (500, 503, 408, 429, 400, 401, 404, 422)] == [True] * 4 + [False] * 4


def test_token_bucket_spacing():
    import asyncio
    import time

    from corpusc.deliver.ratelimit import TokenBucket

    async def go():
        b = TokenBucket(100)
        stamps = []

        async def worker():
            for _ in range(10):
                await b.take()
                stamps.append(time.monotonic())
        await asyncio.gather(*(worker() for _ in range(8)))
        return stamps
    stamps = sorted(asyncio.run(go()))
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert 90 <= rate <= 105, rate
