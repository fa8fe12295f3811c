"""`corpusc deliver sa` and the `sa` build backend: the multipart request is
parsed back at the receiver by a real multipart parser (python-multipart) and
compared field by field with the descriptor and the files it names."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from corpusc.compiler.paths import SPECS

from .conftest import EXAMPLES
from .deliver_corpus import sa_corpus
from .receiver import Act, Receiver

SA_ENV = ("SA_URL", "SA_PROJECT_ID", "SA_PIPELINE_ID", "SA_STORAGE_BACKEND_ID", "SA_CONNECT_TIMEOUT",
          "SA_READ_TIMEOUT")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for k in SA_ENV:
        monkeypatch.delenv(k, raising=False)


def parse_multipart(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    from python_multipart import parse_form
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}

    def on_field(f):
        fields[f.field_name.decode()] = f.value.decode()

    def on_file(f):
        f.file_object.seek(0)
        files[f.field_name.decode()] = (f.file_name.decode(), f.file_object.read())

    parse_form({"Content-Type": headers["Content-Type"], "Content-Length": str(len(body))}, io.BytesIO(body),
               on_field, on_file)
    return fields, files


def test_multipart_matches_the_descriptor_field_by_field(cli, tmp_path, monkeypatch):
    ids = sa_corpus(tmp_path, ["voice", "text", "voice"])
    statuses = iter([200, 201, 202])
    with Receiver(lambda key, n: Act(status=next(statuses))) as rec:
        monkeypatch.setenv("SA_URL", rec.url + "/api/upload")
        monkeypatch.setenv("SA_PROJECT_ID", "proj-7")
        monkeypatch.setenv("SA_PIPELINE_ID", "pipe-3")
        status, out = cli("deliver", "sa", str(tmp_path), "--storage-backend-id", "store-1", "--concurrency", "1",
                          "--rps", "0")
        assert status == 0, out
        seen = list(rec.requests)
    assert [r.path for r in seen] == ["/api/upload"] * 3
    for cid, r in zip(ids, seen):
        desc = json.loads((tmp_path / "sa" / f"{cid}.json").read_text())
        fields, files = parse_multipart(r.headers, r.body)
        assert r.key.startswith(cid + ":")
        expect = {"storageBackendId": "store-1", "pipelineId": "pipe-3", "indexName": "synthetic-bank",
                  "data": fields["data"], "channelMap": "agent=left,customer=right"}
        assert fields == expect
        data = json.loads(fields["data"])
        assert data == desc["data"]
        assert type(data["custom.NPS_score"]) is int and type(data["custom.Hold_time"]) is float
        assert data["custom.FCR"] is True
        name = desc["data"]["original_filename"]
        assert files["stt_data"] == (name + ".json", (tmp_path / desc["stt_data"]).read_bytes())
        if desc["audio"] is None:
            assert "audio" not in files
        else:
            assert files["audio"] == (name, (tmp_path / desc["audio"]).read_bytes())
    assert [("audio" in parse_multipart(r.headers, r.body)[1]) for r in seen] == [True, False, True]


def test_index_name_falls_back_to_the_project_and_channel_map_is_optional(cli, tmp_path):
    sa_corpus(tmp_path, ["voice"], channel_map=None)
    desc_path = next((tmp_path / "sa").glob("*.json"))
    desc = json.loads(desc_path.read_text())
    desc["index_name"] = None
    desc_path.write_text(json.dumps(desc))
    with Receiver() as rec:
        status, out = cli("deliver", "sa", str(tmp_path), "--url", rec.url, "--project-id", "proj-9",
                          "--pipeline-id", "p", "--storage-backend-id", "s")
        fields, _ = parse_multipart(rec.requests[0].headers, rec.requests[0].body)
    assert status == 0, out
    assert fields["indexName"] == "proj-9" and "channelMap" not in fields


def test_sa_failure_statuses_and_keys_follow_the_content(cli, tmp_path):
    sa_corpus(tmp_path, ["voice", "voice"])
    args = ("--project-id", "p", "--pipeline-id", "q", "--storage-backend-id", "s", "--rps", "0",
            "--concurrency", "1")
    with Receiver(lambda key, n: Act(status=204)) as rec:  # 2xx, but not one SA confirms with
        status, out = cli("deliver", "sa", str(tmp_path), "--url", rec.url, *args, "--retries", "0")
        assert status == 1 and "[E0807]" in out and "HTTP 204" in out
        keys = [r.key for r in rec.requests]
    with Receiver() as rec:
        status, _ = cli("deliver", "sa", str(tmp_path), "--url", rec.url, *args)
        assert [r.key for r in rec.requests] == keys  # stable across runs
        wav = next((tmp_path / "audio").glob("*.wav"))
        wav.write_bytes(wav.read_bytes() + b"\0\0\0\0")
        status, _ = cli("deliver", "sa", str(tmp_path), "--url", rec.url, *args)
        assert len(rec.requests) == 3 and rec.requests[2].key not in keys  # new audio, new key


@pytest.mark.parametrize("env, args, code", [
    ({}, ("--url", "http://127.0.0.1:9/u", "--pipeline-id", "p", "--storage-backend-id", "s"), "E0809"),
    ({"SA_CONNECT_TIMEOUT": "soon"}, ("--url", "http://127.0.0.1:9/u"), "E0809"),
    ({"SA_READ_TIMEOUT": "-3"}, ("--url", "http://127.0.0.1:9/u"), "E0809"),
    ({"SA_PROJECT_ID": "p", "SA_PIPELINE_ID": "q"}, ("--storage-backend-id", "s"), "E0803"),
    ({"SA_PROJECT_ID": "p", "SA_PIPELINE_ID": "q", "SA_URL": "sa.example.org/upload"}, ("--storage-backend-id", "s"),
     "E0803"),
    ({"SA_PROJECT_ID": "p", "SA_PIPELINE_ID": "q"}, ("--url", "http://127.0.0.1:9/u", "--storage-backend-id", "s"),
     "E0805"),
])
def test_sa_bad_input(cli, tmp_path, monkeypatch, env, args, code):
    sa_corpus(tmp_path, ["voice"])
    for p in (tmp_path / "audio").glob("*.wav"):
        p.unlink()  # only matters for the E0805 case: the audio is gone
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    status, out = cli("deliver", "sa", str(tmp_path), *args, "--retries", "0")
    assert status == 1 and f"[{code}]" in out and "Traceback" not in out, out


def test_sa_dry_run_validates_descriptors(cli, tmp_path):
    ids = sa_corpus(tmp_path, ["voice", "text"])
    status, out = cli("deliver", "sa", str(tmp_path), "--dry-run")
    assert status == 0, out
    assert "2 valid, 0 invalid" in out
    p = tmp_path / "sa" / f"{ids[1]}.json"
    desc = json.loads(p.read_text())
    desc["data"]["custom.nested"] = {"not": "scalar"}
    desc["data"]["start_date"] = "2025-09-01 06:18"
    p.write_text(json.dumps(desc))
    status, out = cli("deliver", "sa", str(tmp_path), "--dry-run")
    assert status == 1 and "[E0806]" in out and ids[1] in out


# --- the `sa` backend -------------------------------------------------------------

def _calls(n: int = 40):
    from corpusc.plan import planner as planmod
    from corpusc.diagnostics.model import Sink
    from corpusc.compiler.driver import compile_file
    compiled = compile_file(str(EXAMPLES / "contact_center.corpus"), Sink())
    prog = compiled.program
    header = planmod.header(prog, compiled.spec_hash)
    calls = []
    for c in planmod.calls(prog):
        calls.append(c)
        if len(calls) >= n:
            break
    return header, calls


def test_sa_backend_descriptors_match_the_schema():
    from corpusc.backends.base import Context
    from corpusc.backends.header import call_header
    from corpusc.backends.sa import Sa
    header, calls = _calls()
    schema = json.loads((SPECS / "sa-upload.schema.json").read_text())
    ctx = Context(header=header, options={"sa": {"index_name": "idx", "channel_map": "agent=left"}})
    seen_text = seen_voice = False
    for call in calls:
        (art,) = Sa().render(call, None, ctx)
        assert art.path == f"sa/{call.id}.json"
        doc = json.loads(art.data)
        jsonschema.validate(doc, schema)
        assert doc == json.loads(Sa().render(call, None, ctx)[0].data)  # deterministic
        data = doc["data"]
        head = call_header(call)
        assert doc["index_name"] == "idx" and doc["channel_map"] == "agent=left"
        assert doc["stt_data"] == f"audio/{call.id}.wav.json"
        if head.get("channel") == "text":
            seen_text = True
            assert doc["audio"] is None
        else:
            seen_voice = True
            assert doc["audio"] == f"audio/{call.id}.wav"
        assert data["start_date"] == call.start_utc[:19] + "Z"
        assert data["direction"] == "in"
        for k, v in head.items():
            if isinstance(v, (str, int, float, bool)):
                assert data[f"custom.{k}"] == v and type(data[f"custom.{k}"]) is type(v)
        agent = head.get("agent_name") or head.get("agent")
        assert data["segments.call_center_attributes.operator_name"] == agent
        stamp = "".join(ch for ch in call.start_utc if ch.isdigit())[:14]
        chat = head.get("channel") == "text"  # a chat's original is its typed text, with no calling line
        assert stamp in data["original_filename"] and data["original_filename"].endswith(".txt" if chat else ".wav")
        assert (data["ani"] == "" and data["disconnect_reason"] != "far_hangup") if chat else data["ani"]
    assert seen_text and seen_voice
    ids = {json.loads(Sa().render(c, None, ctx)[0].data)["data"]["session_id"] for c in calls}
    assert len(ids) == len(calls)


def test_sa_backend_is_registered():
    from corpusc.backends import registry
    sa = registry.get("sa")
    assert sa.name == "sa" and sa.version == "1" and sa.needs_text is False


def test_sa_backend_fills_team_ani_and_agent_name_when_present():
    from corpusc.backends.base import Context
    from corpusc.backends.sa import Sa
    header, calls = _calls(1)
    call = calls[0].model_copy(update={"metadata": {**calls[0].metadata, "agent_name": "Anna Ziegler",
                                                    "team": "Retail", "ANI": "+49 (151) 234-5678",
                                                    "channel": "voice"}})  # a phone call (a chat has no line)
    data = json.loads(Sa().render(call, None, Context(header=header, options={}))[0].data)["data"]
    assert data["ani"] == "+491512345678"
    assert data["segments.call_center_attributes.group"] == "Retail"
    assert data["original_filename"].startswith("Anna_Ziegler_") and data["original_filename"].endswith(
        "_491512345678.wav")
    assert Path(data["original_filename"]).suffix == ".wav"


def test_sa_backend_follows_the_audio_format():
    from corpusc.backends.base import Context
    from corpusc.backends.sa import Sa
    header, calls = _calls(10)
    ctx = Context(header=header, options={"audio": {"format": "mp3"}})
    docs = [json.loads(Sa().render(c, None, ctx)[0].data) for c in calls]
    voice = [d for d in docs if d["audio"]]
    assert voice and all(d["audio"].endswith(".mp3") and d["data"]["original_filename"].endswith(".mp3")
                         for d in voice)
    schema = json.loads((SPECS / "sa-upload.schema.json").read_text())
    for d in docs:
        jsonschema.validate(d, schema)
