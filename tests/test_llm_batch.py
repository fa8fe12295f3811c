"""`corpusc build --batch` and `corpusc batch status|collect` against the
local stub's Batch API (files upload, batches create / retrieve / list, file
content; 127.0.0.1 only): request files in OpenAI's batch format, answers
verified exactly as online, repairs submitted as a new round, a process
killed between submit and collect resumed without submitting twice, cost at
the batch discount, and the key written nowhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .llm_stub import Stub
from .test_llm import KEY, SPEC, files, gt, journal, spec

PRICED = {"price_input": "0.15", "price_output": "0.60"}


@pytest.fixture
def stub(monkeypatch):
    s = Stub().start()
    s.hold = True  # batches stay in progress until a test lets them finish
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.delenv("CORPUSC_OFFLINE", raising=False)
    yield s
    if s.stall_create is not None:
        s.stall_create.set()
    s.stop()


def run(cli, tmp_path: Path, text: str, *args: str):
    """`corpusc build tiny.corpus -o out --jobs 1 ARGS` in `tmp_path`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "tiny.corpus"
    src.write_text(text)
    status, output = cli("build", str(src), "-o", str(tmp_path / "out"), "--jobs", "1", *args)
    return status, output, tmp_path / "out"


def batch_cmd(cli, tmp_path: Path, action: str):
    return cli("batch", action, str(tmp_path / "tiny.corpus"), "-o", str(tmp_path / "out"))


def state(out: Path) -> dict:
    return json.loads((out / ".corpusc/llm/batch/batches.json").read_text())


def request_lines(out: Path, name: str) -> list[dict]:
    return [json.loads(x) for x in (out / ".corpusc/llm/batch" / name).read_text().splitlines()]


def online(stub: Stub) -> list[dict]:
    """Chat requests the stub answered outside a batch."""
    return [r for r in stub.requests if "_batch" not in r]


def test_submit_status_collect_then_build(cli, tmp_path, stub):
    status, output, out = run(cli, tmp_path, spec(stub), "--batch")
    assert status == 0, output
    assert "submitted round 1: 2 requests" in output and "build waits for the batches" in output
    assert not (out / "transcripts").exists() and not stub.requests  # nothing answered, nothing written
    st = state(out)
    (b,) = st["batches"]
    assert b["id"] == "batch_1" and b["input_file_id"] in stub.files and b["round"] == 1
    lines = request_lines(out, b["file"])
    assert stub.files[b["input_file_id"]] == (out / ".corpusc/llm/batch" / b["file"]).read_bytes()
    assert sorted(x["custom_id"] for x in lines) == ["acme.demo:0:0", "acme.intro:0:0"]  # call:segment:attempt
    for x in lines:
        assert x["method"] == "POST" and x["url"] == "/v1/chat/completions"
        assert x["body"]["model"] == "stub-model" and x["body"]["response_format"]["json_schema"]["strict"]
    created = stub.batches["batch_1"]
    assert created["endpoint"] == "/v1/chat/completions" and created["completion_window"] == "24h"

    status, output = batch_cmd(cli, tmp_path, "status")
    assert status == 0 and "batch_1  in_progress: 2 requests, 0/2 answered" in output, output
    status, output, _ = run(cli, tmp_path, spec(stub), "--batch")  # still running: nothing new submitted
    assert status == 0 and "build waits" in output and len(stub.batches) == 1

    stub.hold = False
    status, output, _ = run(cli, tmp_path, spec(stub), "--batch")
    assert status == 0, output
    assert "collected 2 answers" in output and "Built tiny: 2 calls rendered" in output
    assert not online(stub) and len(stub.requests) == 2  # every answer came through the batch
    for cid in ("acme.intro", "acme.demo"):
        g = gt(out, cid)["rendering"]
        assert g["renderer"] == "llm" and g["repairs"] == 0
    assert json.loads((out / "manifest.json").read_text())["llm"]["total"]["batch"] == 2
    assert all(j["batch"] for j in journal(out) if "prompt_tokens" in j)
    status, output = cli("verify", str(out))
    assert status == 0, output
    status, output = batch_cmd(cli, tmp_path, "status")
    assert status == 0 and output.count("collected") == 1
    first = files(out)
    for p in (out / "transcripts").iterdir():
        p.unlink()
    status, output, _ = run(cli, tmp_path, spec(stub), "--batch")  # all cached: no batch, no request
    assert status == 0 and len(stub.batches) == 1 and len(stub.requests) == 2 and files(out) == first
    # an online build reading the same cache writes the same files and asks nothing
    status, output, other = run(cli, tmp_path / "online", spec(stub, cache=f'"{out}/.corpusc/llm"'))
    assert status == 0 and not online(stub), output

    def written(fs):
        return {k: v for k, v in fs.items() if k.startswith(("transcripts/", "ground_truth/"))}
    assert written(files(other)) == written(first) and len(written(first)) == 6


def test_a_failing_answer_is_repaired_in_a_new_round(cli, tmp_path, stub):
    stub.hold = False
    stub.script["acme.intro"] = ["missing_beat", "ok"]
    status, output, out = run(cli, tmp_path, spec(stub), "--batch")
    assert status == 0 and "submitted round 1: 2 requests" in output
    status, output = batch_cmd(cli, tmp_path, "collect")
    assert status == 0, output
    assert "collected 2 answers" in output and "submitted round 2: 1 requests" in output
    assert "1 calls answered and verified, 1 waiting" in output
    r2 = state(out)["batches"][1]
    (line,) = request_lines(out, r2["file"])
    assert line["custom_id"] == "acme.intro:0:1"  # attempt + 1
    msgs = line["body"]["messages"]
    assert msgs[2]["role"] == "assistant" and "does not follow the plan" in msgs[3]["content"]
    assert "must carry" in msgs[3]["content"]  # the specific failure, as online
    status, output, _ = run(cli, tmp_path, spec(stub), "--batch")
    assert status == 0 and "Built tiny: 2 calls rendered" in output, output
    assert gt(out, "acme.intro")["rendering"]["repairs"] == 1 and gt(out, "acme.demo")["rendering"]["repairs"] == 0
    caught = next(j for j in journal(out) if j.get("outcome") and j["call"] == "acme.intro")["caught"]
    assert caught == ["missing_beat"] and not online(stub)


def test_unrepairable_in_batch_falls_back_or_fails_as_configured(cli, tmp_path, stub):
    stub.hold = False
    stub.script["acme.intro"] = ["wrong_polarity"] * 5
    for _ in range(2):  # round 1, then the repair round (max_repairs 1)
        status, output, out = run(cli, tmp_path, spec(stub), "--batch")
        assert status == 0 and "build waits" in output, output
    status, output, out = run(cli, tmp_path, spec(stub), "--batch")
    assert status == 0 and "Built tiny" in output, output
    g = gt(out, "acme.intro")["rendering"]
    assert g["fallback"] is True and g["renderer"] == "template" and g["requests"] == 2
    assert json.loads((out / "manifest.json").read_text())["llm"]["calls"]["acme.intro"]["fallback"] is True
    # fallback fail: the same answers (cached) stop the build with the reason
    status, output, _ = run(cli, tmp_path, spec(stub, fallback="fail"), "--batch")
    assert status == 1 and "[E0733]" in output and "acme.intro" in output and "Traceback" not in output


def test_a_request_the_batch_answered_with_an_error_is_asked_again(cli, tmp_path, stub):
    stub.hold = False
    stub.script["acme.intro"] = ["http500", "ok"]
    status, output, out = run(cli, tmp_path, spec(stub), "--batch")
    status, output = batch_cmd(cli, tmp_path, "collect")
    assert status == 0 and "collected 2 answers" in output, output
    assert "submitted round 2: 1 requests" in output
    (line,) = request_lines(out, state(out)["batches"][1]["file"])
    assert line["custom_id"] == "acme.intro:0:0"  # the same request again: an error is not a repair
    status, output, _ = run(cli, tmp_path, spec(stub), "--batch")
    assert status == 0 and gt(out, "acme.intro")["rendering"]["repairs"] == 0, output
    # an error every time: given up after batch.MAX_TRIES with the server's message
    stub.script["acme.intro"] = ["http500"] * 9
    for _ in range(3):
        status, output, _ = run(cli, tmp_path / "again", spec(stub), "--batch")
        assert status == 0 and "build waits" in output, output
    status, output, _ = run(cli, tmp_path / "again", spec(stub), "--batch")
    assert status == 1 and "[E0732]" in output and "HTTP 500" in output and "3 times" in output, output


def test_cost_is_recorded_at_the_batch_discount(cli, tmp_path, stub):
    stub.hold = False
    text = spec(stub, **PRICED)
    src = tmp_path / "tiny.corpus"
    src.write_text(text)
    status, output = cli("plan", str(src))
    assert status == 0 and "through the Batch API" in output
    run(cli, tmp_path, text, "--batch")
    status, output, out = run(cli, tmp_path, text, "--batch")
    assert status == 0, output
    m = json.loads((out / "manifest.json").read_text())["llm"]
    for cid, rec in m["calls"].items():
        full = (rec["prompt_tokens"] * 0.15 + rec["completion_tokens"] * 0.60) / 1e6
        assert rec["batch"] is True and rec["usd"] == pytest.approx(full * 0.5, abs=1e-8)
    made = next(x for x in output.splitlines() if x.startswith("LLM: "))
    assert f"${m['total']['usd']:.2f}" in made
    # a spec's own discount
    run(cli, tmp_path / "x", spec(stub, **PRICED, batch_discount="0.25"), "--batch")
    status, output, out2 = run(cli, tmp_path / "x", spec(stub, **PRICED, batch_discount="0.25"), "--batch")
    assert status == 0, output
    m2 = json.loads((out2 / "manifest.json").read_text())["llm"]
    for cid, rec in m2["calls"].items():
        full = (rec["prompt_tokens"] * 0.15 + rec["completion_tokens"] * 0.60) / 1e6
        assert rec["usd"] == pytest.approx(full * 0.75, abs=1e-8)


def test_request_files_are_split_at_the_limits(cli, tmp_path, stub, monkeypatch):
    from corpusc.render.llm import batch
    monkeypatch.setattr(batch, "MAX_REQUESTS", 1)
    status, output, out = run(cli, tmp_path, spec(stub), "--batch")
    assert status == 0 and len(state(out)["batches"]) == 2 and len(stub.batches) == 2, output
    assert all(b["requests"] == 1 for b in state(out)["batches"])
    monkeypatch.setattr(batch, "MAX_REQUESTS", 50_000)
    spool = batch.Spool()
    for i in range(5):
        spool[f"k{i}"] = (f"c:0:{i}", {"n": i})
    spool["k0"] = ("c:0:0", {"n": 0})  # the same request again: once
    spool["k5"] = ("c:0:4", {"n": 5})  # the same custom_id for another request: made unique
    one = len(next(spool.lines())[1])
    monkeypatch.setattr(batch, "MAX_BYTES", 2 * one + 2)
    made = batch.write_files(spool.lines(), lambda n: tmp_path / "split" / f"part{n}.jsonl")
    assert [k for _, k in made] == [2, 2, 2] and all(p.stat().st_size <= 2 * one + 2 for p, _ in made)
    ids = [json.loads(x)["custom_id"] for p, _ in made for x in p.read_text().splitlines()]
    assert ids == ["c:0:0", "c:0:1", "c:0:2", "c:0:3", "c:0:4", "c:0:4#2"]
    assert sorted(x.name for x in (tmp_path / "split").iterdir()) == ["part1.jsonl", "part2.jsonl", "part3.jsonl"]


def test_a_killed_submission_resumes_without_submitting_twice(cli, tmp_path, stub):
    """kill -9 while the batch is being created (the provider has it, the
    process never hears back): the next run finds it by its input file."""
    stub.stall_create = threading.Event()
    src = tmp_path / "tiny.corpus"
    src.write_text(spec(stub))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "corpusc", "build", str(src), "-o", str(out), "--batch"],
                            env={**os.environ, "OPENAI_API_KEY": KEY}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not stub.batches:
            time.sleep(0.05)
        assert stub.batches, "no batch was created"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    (b,) = state(out)["batches"]
    assert b["input_file_id"] and "id" not in b  # created, never recorded
    stub.stall_create.set()
    stub.stall_create = None
    status, output, _ = run(cli, tmp_path, spec(stub), "--batch")
    assert status == 0 and "build waits" in output, output
    assert len(stub.batches) == 1 and state(out)["batches"][0]["id"] == "batch_1"
    assert [c for c in stub.batch_calls if c == "POST /v1/batches"] == ["POST /v1/batches"]
    # killed again, now between submit and collect (the batch recorded, answered meanwhile)
    stub.hold = False
    proc = subprocess.Popen([sys.executable, "-m", "corpusc", "batch", "status", str(src), "-o", str(out)],
                            env={**os.environ, "OPENAI_API_KEY": KEY}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    status, output, _ = run(cli, tmp_path, spec(stub), "--batch")
    assert status == 0 and "Built tiny: 2 calls rendered" in output, output
    assert len(stub.requests) == 2 and len(stub.batches) == 1 and not online(stub)


def test_the_key_is_written_nowhere(cli, tmp_path, stub):
    stub.hold = False
    outputs = []
    for args in (("--batch",), ("batch", "status"), ("--batch",)):
        if args[0] == "batch":
            status, output = batch_cmd(cli, tmp_path, args[1])
        else:
            status, output, out = run(cli, tmp_path, spec(stub), *args)
        assert status == 0, output
        outputs.append(output)
    assert "Built tiny" in outputs[-1]
    assert stub.auth == {f"Bearer {KEY}"} and all(KEY not in o for o in outputs)
    written = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".jsonl" and "batch" in p.parts for p in written)
    for p in written:
        assert KEY.encode() not in p.read_bytes(), p
    for data in stub.files.values():  # what was uploaded
        assert KEY.encode() not in data


def test_misuse_is_a_located_error(cli, tmp_path, stub):
    template = SPEC.split("emit transcripts")[0] + "emit transcripts {\n  engine template\n}\n"
    status, output, _ = run(cli, tmp_path, template, "--batch")
    assert status == 1 and "[E0736]" in output and "tiny.corpus:" in output and "engine template" in output
    assert "Traceback" not in output
    status, output, _ = run(cli, tmp_path, spec(stub), "--batch", "--offline")
    assert status == 2 and "--batch" in output and "--offline" in output
    status, output = batch_cmd(cli, tmp_path, "status")
    assert status == 1 and "no batch recorded" in output and "--batch" in output
    status, output = cli("batch", "resubmit", str(tmp_path / "tiny.corpus"))
    assert status == 2 and "No such command" in output
    status, output = cli("batch", "status", str(tmp_path / "tiny.corpus").replace("tiny", "nope"))
    assert status == 1 and "nope.corpus" in output
    assert not stub.requests and not stub.batch_calls
