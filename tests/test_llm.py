"""`engine llm` end to end against a local OpenAI-compatible stub server
(tests/llm_stub.py, 127.0.0.1 only): the build writes the model's words with
the plan's turns, speakers, cues and evidence; every injected violation is
caught and repaired for the failing segment only; what cannot be repaired
falls back to the template renderer, flagged, or fails the build; a rebuild
and `--offline` replay the cache byte for byte; the key is written nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import FIXTURES
from .llm_stub import EXPECTED, Stub

KEY = "sk-test-LLM-NEVER-WRITE-7731"
SPEC = (FIXTURES / "llm_tiny.corpus").read_text()


@pytest.fixture
def stub(monkeypatch):
    s = Stub().start()
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.delenv("CORPUSC_OFFLINE", raising=False)
    yield s
    s.stop()


def spec(stub: Stub, **opts: str) -> str:
    text = SPEC.replace("http://127.0.0.1:9/v1", stub.url)
    extra = "".join(f"  {k} {v}\n" for k, v in opts.items())
    return text.replace("  max_repairs 1\n", "  max_repairs 1\n" + extra) if extra else text


def build(cli, tmp_path: Path, text: str, *args: str, out: str = "out"):
    src = tmp_path / "tiny.corpus"
    src.write_text(text)
    status, output = cli("build", str(src), "-o", str(tmp_path / out), "--jobs", "1", *args)
    return status, output, tmp_path / out


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".corpusc" not in p.parts and p.name != "manifest.json"}


def gt(out: Path, call: str) -> dict:
    return json.loads((out / f"ground_truth/{call}.json").read_text())


def journal(out: Path) -> list[dict]:
    p = out / ".corpusc/llm/journal.jsonl"
    return [json.loads(x) for x in p.read_text().splitlines()] if p.is_file() else []


def test_build_writes_the_models_words_with_the_plans_structure(cli, tmp_path, stub):
    status, output, out = build(cli, tmp_path, spec(stub))
    assert status == 0, output
    plan = json.loads((out / "plan.json").read_text())
    ok = [r for r in stub.requests if r["_status"] == 200]
    assert len(ok) == 2 and stub.auth == {f"Bearer {KEY}"}  # one request per call, the key only in the header
    for call in plan["calls"]:
        req = next(r for r in ok if f"<outline>{{\"call\": \"{call['id']}\"" in r["messages"][1]["content"])
        schema = req["response_format"]["json_schema"]
        assert schema["strict"] is True
        props = schema["schema"]["properties"]
        assert list(props) == [f"t{i}" for i in range(len(call["speakers"]))]  # exactly the planned turns
        for i, pi in enumerate(call["speakers"]):
            assert props[f"t{i}"]["properties"]["speaker"]["enum"] == [call["participants"][pi]["id"]]
            assert props[f"t{i}"]["additionalProperties"] is False
        assert req["model"] == "stub-model" and req["messages"][0]["role"] == "system"
        doc = json.loads((out / f"transcripts/{call['id']}.json").read_text())
        g = gt(out, call["id"])
        assert g["rendering"]["renderer"] == "llm" and g["rendering"]["repairs"] == 0
        txt = (out / f"transcripts/{call['id']}.txt").read_text()
        for m in g["moments"]:
            assert txt[m["start"]:m["end"]] == m["quote"] if "quote" in m else True
            planned = next(x for x in call["moments"] if x["id"] == m["id"])
            assert m["turn"] == planned["turn"]
        for s in g["signals"]["surface"] + [x for x in g["colour"] + g["moments"] if "quote" in x]:
            assert txt[s["start"]:s["end"]] == s["quote"]  # mid-turn cues included
        assert len(json.dumps(doc)) > 0
    comp = [s for s in gt(out, "acme.intro")["signals"]["surface"] if s["type"] == "competitor_mention"]
    assert comp and "Parley" in comp[0]["quote"]
    # the cues are corpusc's, at the planned turns; the model wrote none of them
    intro = next(c for c in plan["calls"] if c["id"] == "acme.intro")
    lines = (out / "transcripts/acme.intro.txt").read_text().splitlines()[3:]
    for m in intro["moments"]:
        assert all(f"[{c}]" in lines[m["turn"]] for c in m["cues"])
    status, output = cli("verify", str(out))
    assert status == 0, output


def test_key_is_written_nowhere(cli, tmp_path, stub):
    status, output, out = build(cli, tmp_path, spec(stub))
    assert status == 0 and KEY not in output
    written = [p for p in out.rglob("*") if p.is_file()]
    assert any(".corpusc" in p.parts and "answers" in p.parts for p in written)  # the cache is scanned too
    for p in written:
        assert KEY.encode() not in p.read_bytes(), p


def test_refused_request_is_a_diagnostic_without_the_key(cli, tmp_path, monkeypatch):
    import corpusc.render.llm.client as client
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setattr(client, "MAX_ATTEMPTS", 2)
    status, output, out = build(cli, tmp_path, SPEC)  # base_url 127.0.0.1:9: nothing listens
    assert status == 1 and "[E0732]" in output and KEY not in output and "Traceback" not in output


def test_a_key_quoted_back_by_the_server_is_scrubbed(cli, tmp_path, stub):
    stub.default = "http401"
    status, output, out = build(cli, tmp_path, spec(stub))
    assert status == 1 and "[E0732]" in output and "HTTP 401" in output and "Traceback" not in output
    assert KEY not in output and "Incorrect API key provided: ***" in output
    for p in out.rglob("*"):
        if p.is_file():
            assert KEY.encode() not in p.read_bytes(), p


def test_missing_key_is_a_diagnostic(cli, tmp_path, stub, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    status, output, _ = build(cli, tmp_path, spec(stub))
    assert status == 1 and "[E0731]" in output and "OPENAI_API_KEY" in output and "tiny.corpus:" in output
    assert not stub.requests


def test_rebuild_and_offline_replay_the_cache_byte_for_byte(cli, tmp_path, stub, monkeypatch):
    status, output, out = build(cli, tmp_path, spec(stub))
    assert status == 0, output
    first = files(out)
    n = len(stub.requests)
    status, output, _ = build(cli, tmp_path, spec(stub))  # unchanged: nothing to do
    assert status == 0 and len(stub.requests) == n
    for p in (out / "transcripts").iterdir():  # every call must render again: answers come from the cache
        p.unlink()
    status, output, _ = build(cli, tmp_path, spec(stub))
    assert status == 0 and len(stub.requests) == n and files(out) == first
    # --offline, no key, a fresh output using the first one's cache as a shared cache folder
    monkeypatch.delenv("OPENAI_API_KEY")
    shared = spec(stub, cache=f'"{out}/.corpusc/llm"')
    status, output, out2 = build(cli, tmp_path, shared, "--offline", out="offline")
    assert status == 0, output
    assert len(stub.requests) == n
    def written(fs):  # the spec differs (it names the cache), so do its hash and plan; the calls do not
        return {k: v for k, v in fs.items() if k.startswith(("transcripts/", "ground_truth/"))}
    assert written(files(out2)) == written(first) and len(written(first)) == 6
    status, output, _ = build(cli, tmp_path, spec(stub), "--offline", out="empty")  # nothing cached there
    assert status == 1 and "[E0734]" in output and len(stub.requests) == n


@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_each_violation_is_caught_and_repaired_for_that_call_only(cli, tmp_path, stub, mode):
    stub.recital = "Honestly, the number is a lot higher than what we budgeted for this."  # stdlib pricing
    stub.script["acme.intro"] = [mode, "ok"]
    status, output, out = build(cli, tmp_path, spec(stub))
    assert status == 0, output
    g = gt(out, "acme.intro")
    assert g["rendering"] == {**g["rendering"], "renderer": "llm", "repairs": 1}
    caught = next(j for j in journal(out) if j.get("outcome") and j["call"] == "acme.intro")["caught"]
    assert set(caught) & EXPECTED[mode], caught
    intro = [r for r in stub.requests if '"call": "acme.intro"' in r["messages"][1]["content"]]
    demo = [r for r in stub.requests if '"call": "acme.demo"' in r["messages"][1]["content"]]
    assert len(intro) == 2 and len(demo) == 1  # the repair went to the failing call only
    repair = intro[1]["messages"]
    assert repair[:2] == intro[0]["messages"] and repair[2]["role"] == "assistant" and len(repair) == 4
    assert "does not follow the plan" in repair[3]["content"]
    assert gt(out, "acme.demo")["rendering"]["repairs"] == 0


@pytest.mark.parametrize("status_mode", ["http429", "http500"])
def test_throttling_and_server_errors_are_retried(cli, tmp_path, stub, status_mode):
    stub.script["acme.intro"] = [status_mode, "ok"]
    status, output, out = build(cli, tmp_path, spec(stub))
    assert status == 0, output
    failed = [r for r in stub.requests if r["_status"] != 200]
    assert len(failed) == 1
    retry = next(r for r in stub.requests if r["_status"] == 200 and r["messages"] == failed[0]["messages"])
    if status_mode == "http429":
        assert retry["_t"] - failed[0]["_t"] >= 0.95  # Retry-After: 1 honoured
    assert gt(out, "acme.intro")["rendering"]["repairs"] == 0  # a retry is not a repair


def test_a_spent_rate_limit_budget_pauses_the_next_request(cli, tmp_path, stub):
    stub.headers = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1.5s"}
    status, output, out = build(cli, tmp_path, spec(stub, max_concurrency="1"))
    assert status == 0, output
    first, second = stub.requests
    assert second["_t"] - first["_t"] >= 1.4  # not before the budget resets


def test_unrepairable_call_falls_back_to_the_template_flagged(cli, tmp_path, stub):
    stub.script["acme.intro"] = ["missing_beat"] * 5
    status, output, out = build(cli, tmp_path, spec(stub))
    assert status == 0, output
    g = gt(out, "acme.intro")
    assert g["rendering"]["fallback"] is True and g["rendering"]["renderer"] == "template"
    assert "must carry" in g["rendering"]["reason"]
    assert g["rendering"]["requests"] == 2  # the first answer and max_repairs 1
    assert "fallback" not in gt(out, "acme.demo")["rendering"]
    assert (out / "transcripts/acme.intro.txt").read_text().count("\n") > 10  # a real call, not a placeholder
    status, output = cli("verify", str(out))
    assert status == 0, output
    import jsonschema
    schema = json.loads((Path(__file__).parent.parent / "specs/ground_truth.schema.json").read_text())
    jsonschema.validate(g, schema)


def test_fallback_fail_stops_the_build_with_the_reason(cli, tmp_path, stub):
    stub.script["acme.intro"] = ["wrong_polarity"] * 5
    status, output, _ = build(cli, tmp_path, spec(stub).replace("max_repairs 1", "max_repairs 1\n  fallback fail"))
    assert status == 1 and "[E0733]" in output and "acme.intro" in output and "positive" in output
    assert "Traceback" not in output


def test_segments_stage_repairs_only_the_failing_segment(cli, tmp_path, stub):
    stub.script["acme.intro"] = ["ok", "missing_beat", "ok", "ok"]
    status, output, out = build(cli, tmp_path, spec(stub, segments="stage"))
    assert status == 0, output
    intro = [json.loads(r["messages"][1]["content"].split("<outline>")[1].split("</outline>")[0])
             for r in stub.requests if '"call": "acme.intro"' in r["messages"][1]["content"]]
    segs = [o["segment"] for o in intro]
    assert segs == [0, 1, 1, 2]  # segment 1 asked twice, the others once
    later = next(r for r in stub.requests if '"segment": 2' in r["messages"][1]["content"]
                 and '"call": "acme.intro"' in r["messages"][1]["content"])
    assert "THE CALL SO FAR" in later["messages"][1]["content"]  # later segments continue the earlier ones
    assert gt(out, "acme.intro")["rendering"]["repairs"] == 1


def test_judge_confirms_or_flags_what_the_lexicon_cannot_decide(cli, tmp_path, stub):
    status, output, out = build(cli, tmp_path, spec(stub, judge='"judge-model"'))
    assert status == 0, output
    judged = [r for r in stub.requests if r["model"] == "judge-model"]
    assert judged and "buying signal" in judged[0]["messages"][0]["content"]
    assert "fallback" not in gt(out, "acme.demo")["rendering"]
    stub.judge = "flag"
    status, output, out = build(cli, tmp_path, spec(stub, judge='"judge-model"'), out="flagged")
    g = gt(out, "acme.demo")  # the buying signal is flagged every time: the call falls back
    assert g["rendering"]["fallback"] is True and "reviewing model" in g["rendering"]["reason"]


def test_prompts_override_from_a_folder_next_to_the_spec(cli, tmp_path, stub):
    from corpusc.render.llm.prompt import SHIPPED
    mine = tmp_path / "my_prompts"
    mine.mkdir()
    (mine / "system.j2").write_text("HOUSE RULES v2\n" + (SHIPPED / "system.j2").read_text())
    status, output, out = build(cli, tmp_path, spec(stub, prompts='"my_prompts"'))
    assert status == 0, output
    assert all(r["messages"][0]["content"].startswith("HOUSE RULES v2") for r in stub.requests)
    n = len(stub.requests)
    (mine / "system.j2").write_text("HOUSE RULES v3\n" + (SHIPPED / "system.j2").read_text())
    status, output, out = build(cli, tmp_path, spec(stub, prompts='"my_prompts"'))
    assert status == 0 and len(stub.requests) == n + 2  # an edited template re-renders every call


def test_structured_prompt_mode_puts_the_schema_in_the_prompt(cli, tmp_path, stub):
    status, output, out = build(cli, tmp_path, spec(stub, structured="prompt"))
    assert status == 0, output
    for r in stub.requests:
        assert "response_format" not in r and '"additionalProperties": false' in r["messages"][1]["content"]


def test_plan_counts_the_llm_requests(cli, tmp_path, stub):
    src = tmp_path / "tiny.corpus"
    src.write_text(spec(stub))
    status, output = cli("plan", str(src))
    assert status == 0 and "2 API calls" in output


def test_plan_estimates_and_build_records_tokens_and_cost(cli, tmp_path, stub):
    text = spec(stub, price_input="0.15", price_output="0.60")
    src = tmp_path / "tiny.corpus"
    src.write_text(text)
    status, output = cli("plan", str(src))
    assert status == 0, output
    line = next(x for x in output.splitlines() if x.startswith("LLM estimate"))
    est_prompt, est_completion = (int(x.replace(",", "")) for x in
                                  (line.split("~")[1].split()[0], line.split("~")[2].split()[0]))
    assert "2 requests" in line and "$" in line
    status, output, out = build(cli, tmp_path, text)
    assert status == 0, output
    made = next(x for x in output.splitlines() if x.startswith("LLM: "))
    assert "2 requests" in made and "calls: 2 ok" in made
    rec = [j for j in journal(out) if "prompt_tokens" in j]
    got_prompt = sum(j["prompt_tokens"] for j in rec)
    got_completion = sum(j["completion_tokens"] for j in rec)
    assert got_prompt == sum(r["usage"]["prompt_tokens"] for r in [_usage(x) for x in stub.requests])
    # the estimate is of the right size: within a factor of 1.5 of what the server counted
    assert 1 / 1.5 <= est_prompt / got_prompt <= 1.5, (est_prompt, got_prompt)
    assert 1 / 1.5 <= est_completion / got_completion <= 1.5, (est_completion, got_completion)
    (out / "transcripts/acme.intro.txt").unlink()  # one call renders again, from the cache: nothing charged
    status, output, _ = build(cli, tmp_path, text)
    assert status == 0 and "LLM: 0 requests" in output and "$0.00" in output


def _usage(request: dict) -> dict:
    from .llm_stub import _completion
    return _completion("", "stop", request)


def test_a_killed_build_resumes_without_asking_twice(cli, tmp_path, stub):
    """kill -9 while the second call is being answered: the first call's answer
    was cached when it arrived, so the rerun asks only for the second."""
    import os
    import signal
    import subprocess
    import sys
    import time
    stub.delay = 1.5
    src = tmp_path / "tiny.corpus"
    src.write_text(spec(stub, max_concurrency="1"))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "corpusc", "build", str(src), "-o", str(out), "--jobs", "1"],
                            env={**os.environ, "OPENAI_API_KEY": KEY}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list((out / ".corpusc/llm/answers").glob("*/*.json")):
            time.sleep(0.05)
        assert list((out / ".corpusc/llm/answers").glob("*/*.json")), "no answer arrived"
        while time.monotonic() < deadline and len(stub.requests) < 2:  # the second request is on its way
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert len(list((out / ".corpusc/llm/answers").glob("*/*.json"))) == 1
    assert not (out / "ground_truth/acme.demo.json").exists()
    stub.delay = 0
    asked = len(stub.requests)
    status, output, _ = build(cli, tmp_path, spec(stub, max_concurrency="1"))
    assert status == 0, output
    assert len(stub.requests) == asked + 1  # only the answer that never arrived
    assert gt(out, "acme.demo")["rendering"]["renderer"] == "llm"


@pytest.mark.parametrize("mode", ["ok", "wrong_polarity", "missing_beat"])
def test_german_calls_are_verified_with_the_german_lexicon(cli, tmp_path, stub, mode):
    stub.script["acme.intro"] = [mode, "ok"]
    status, output, out = build(cli, tmp_path, spec(stub).replace("locale en-US", "locale de-DE"))
    assert status == 0, output
    g = gt(out, "acme.intro")
    assert g["locale"] == "de-DE" and g["rendering"]["renderer"] == "llm"
    assert g["rendering"]["repairs"] == (0 if mode == "ok" else 1)
    assert "Deutsch" in stub.requests[0]["messages"][0]["content"]
    comp = [s for s in g["signals"]["surface"] if s["type"] == "objection" and s["key"]]  # the planned one
    assert comp and "Preis" in comp[0]["quote"]
    # the model's negative moment ("Ich mache mir Sorgen ...") is pushback, read by the German lexicon too
    assert any(s["type"] == "objection" and s["key"] is None and "Sorgen" in s["quote"]
               for s in g["signals"]["surface"])


def test_a_missing_prompts_folder_is_located_at_check(cli, tmp_path, stub):
    src = tmp_path / "tiny.corpus"
    src.write_text(spec(stub, prompts='"no_such_prompts"'))
    status, output = cli("check", str(src))
    assert status == 1 and "[E0503]" in output and "no_such_prompts" in output and "tiny.corpus:" in output


def test_a_locale_without_a_lexicon_is_refused_at_check(cli, tmp_path, stub):
    src = tmp_path / "tiny.corpus"
    src.write_text(spec(stub).replace("locale en-US", "locale fr-FR"))
    status, output = cli("check", str(src))
    assert status == 1 and "[E0505]" in output and "renderer `llm` has no locale `fr-FR`" in output


def test_budget_fails_check_when_the_estimate_exceeds_it(cli, tmp_path, stub):
    src = tmp_path / "tiny.corpus"
    priced = spec(stub, price_input="0.15", price_output="0.60")
    src.write_text(priced.replace("  max_repairs 1\n", "  max_repairs 1\n  budget 0.0001 usd\n"))
    status, output = cli("check", str(src))
    assert status == 1 and "[E0735]" in output and "exceeds the budget of $0.00" in output
    assert f"{src.name}:" in output and "budget 0.0001 usd" in output  # shown at the budget's line
    status, output, _ = build(cli, tmp_path, src.read_text())
    assert status == 1 and "[E0735]" in output and not stub.requests  # nothing was asked
    src.write_text(priced.replace("  max_repairs 1\n", "  max_repairs 1\n  budget 5 usd\n"))
    status, output = cli("check", str(src))
    assert status == 0, output
    src.write_text(spec(stub).replace("  max_repairs 1\n", "  max_repairs 1\n  budget 5 usd\n"))  # no price
    status, output = cli("check", str(src))
    assert status == 1 and "cannot be checked" in output
    src.write_text(priced.replace("  max_repairs 1\n", "  max_repairs 1\n  budget 5 eur\n"))
    status, output = cli("check", str(src))
    assert status == 1 and "[E0503]" in output  # eur is no unit of the language: two values


def test_manifest_records_each_calls_requests_tokens_cost_and_fallback(cli, tmp_path, stub):
    stub.script["acme.intro"] = ["missing_beat"] * 5  # falls back after max_repairs 1
    text = spec(stub, price_input="0.15", price_cached_input="0.075", price_output="0.60")
    status, output, out = build(cli, tmp_path, text)
    assert status == 0, output
    m = json.loads((out / "manifest.json").read_text())["llm"]
    assert set(m["calls"]) == {"acme.intro", "acme.demo"} and m["model"] == "stub-model"
    for cid, rec in m["calls"].items():
        asked = [_usage(r)["usage"] for r in stub.requests if f'"call": "{cid}"' in r["messages"][1]["content"]]
        assert rec["requests"] == len(asked) and rec["prompt_tokens"] == sum(u["prompt_tokens"] for u in asked)
        answers = [j for j in journal(out) if j.get("call") == cid and "completion_tokens" in j]
        assert rec["completion_tokens"] == sum(j["completion_tokens"] for j in answers) > 0
        want = (rec["prompt_tokens"] * 0.15 + rec["completion_tokens"] * 0.60) / 1e6
        assert rec["usd"] == pytest.approx(want, abs=1e-8) and rec["batch"] is False
        g = gt(out, cid)["rendering"]
        assert (rec["requests"], rec["repairs"], rec["prompt_tokens"]) == \
            (g["requests"], g["repairs"], g["tokens"]["prompt"])
    assert m["calls"]["acme.intro"]["fallback"] is True and m["calls"]["acme.intro"]["repairs"] == 1
    assert m["calls"]["acme.demo"]["fallback"] is False
    t = m["total"]
    assert t["calls"] == 2 and t["fallbacks"] == 1 and t["requests"] == len(stub.requests) == 3
    assert t["usd"] == pytest.approx(sum(c["usd"] for c in m["calls"].values()))
    assert f"LLM corpus total (manifest.json): 2 calls, 3 requests, 1 repairs" in output
    # a rebuild of one call from the cache keeps one record per call, the same figures
    (out / "transcripts/acme.demo.txt").unlink()
    status, output, _ = build(cli, tmp_path, text)
    assert status == 0 and json.loads((out / "manifest.json").read_text())["llm"] == m
    assert len((out / ".corpusc/llm_calls.jsonl").read_text().splitlines()) == 2


def test_plan_and_manifest_name_spec_relative_folders_the_same_in_every_checkout(cli, tmp_path, stub):
    """`prompts` and `cache` are resolved against the spec's folder for the
    build, and plan.json / manifest.json show them as written: two checkouts
    of one spec in different places plan byte-identical plan.json files."""
    from corpusc.render.llm.prompt import SHIPPED
    plans = []
    for where in ("checkout-a", "deeper/checkout-b"):
        root = tmp_path / where
        (root / "my_prompts").mkdir(parents=True)
        (root / "my_prompts/system.j2").write_text((SHIPPED / "system.j2").read_text())
        src = root / "tiny.corpus"
        src.write_text(spec(stub, prompts='"./my_prompts"', cache='"shared/../llm-cache"'))
        status, output = cli("build", str(src), "-o", str(root / "out"), "--jobs", "1")
        assert status == 0, output
        assert list((root / "llm-cache/answers").glob("*/*.json"))  # the cache is where the spec says
        for name in ("plan.json", "manifest.json"):
            text = (root / "out" / name).read_text()
            assert str(tmp_path) not in text, name
        opts = next(e for e in json.loads((root / "out/manifest.json").read_text())["backends"]
                    if e[0] == "transcripts")[2]
        assert opts["prompts"] == "my_prompts" and opts["cache"] == "llm-cache"
        plans.append((root / "out/plan.json").read_bytes())
        status, output = cli("plan", str(src), "--json")
        assert status == 0 and str(tmp_path) not in output
    assert plans[0] == plans[1]


def test_two_checkouts_of_one_spec_tree_share_their_results(cli, tmp_path, stub):
    """The content hash and the complete key take a spec-relative `prompts`
    or `cache` folder as written, not made absolute: a second checkout of the
    same tree in another directory (outputs and cache copied with it, as a CI
    cache restores them) is up to date, asks the model nothing and keys every
    call as the first did; an edited prompt still re-renders (its content is
    in the key)."""
    import shutil
    import sqlite3

    from corpusc.render.llm.prompt import SHIPPED
    a = tmp_path / "checkout-a"
    (a / "my_prompts").mkdir(parents=True)
    (a / "my_prompts/system.j2").write_text((SHIPPED / "system.j2").read_text())
    (a / "tiny.corpus").write_text(spec(stub, prompts='"my_prompts"', cache='"llm-cache"'))
    status, output = cli("build", str(a / "tiny.corpus"), "-o", str(a / "out"), "--jobs", "1")
    assert status == 0, output
    asked = len(stub.requests)
    assert asked > 0

    def hashes(root: Path) -> dict:
        with sqlite3.connect(root / "out/.corpusc/index.sqlite") as db:
            return dict(db.execute("select id, hash from calls"))

    b = tmp_path / "elsewhere/checkout-b"
    shutil.copytree(a, b)
    status, output = cli("build", str(b / "tiny.corpus"), "-o", str(b / "out"), "--jobs", "1")
    assert status == 0, output
    assert "up to date" in output, output
    assert len(stub.requests) == asked
    assert hashes(a) == hashes(b) and hashes(b)
    (b / "my_prompts/system.j2").write_text("HOUSE RULES\n" + (SHIPPED / "system.j2").read_text())
    status, output = cli("build", str(b / "tiny.corpus"), "-o", str(b / "out"), "--jobs", "1")
    assert status == 0 and len(stub.requests) > asked and hashes(a).keys() == hashes(b).keys() != set()
    assert all(hashes(a)[k] != v for k, v in hashes(b).items())
