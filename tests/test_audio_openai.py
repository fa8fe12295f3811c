"""The OpenAI engine against a local OpenAI-compatible server started here (never
the real API): speech per turn, 429 with Retry-After, the cache on rebuild,
the key never written, a missing key as a diagnostic."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import soundfile as sf

from .test_audio import CALL, spec

KEY = "sk-test-DO-NOT-LEAK-4242"


class Fake:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.throttled = 0
        self.throttle_first = 1
        self.auth: set[str] = set()
        self.lock = threading.Lock()


@pytest.fixture
def server(monkeypatch):
    fake = Fake()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with fake.lock:
                fake.auth.add(self.headers.get("Authorization", ""))
                if self.path != "/v1/audio/speech":
                    self.send_response(404)
                    self.end_headers()
                    return
                if fake.throttled < fake.throttle_first:
                    fake.throttled += 1
                    fake.requests.append({**body, "_status": 429, "_t": time.monotonic()})
                    data = b'{"error": {"message": "slow down", "type": "rate_limit"}}'
                    self.send_response(429)
                    self.send_header("Retry-After", "1")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                fake.requests.append({**body, "_status": 200, "_t": time.monotonic()})
            # 24 kHz 16-bit PCM: a tone whose length follows the text, so turns differ
            n = int(24000 * (0.3 + 0.02 * len(body["input"])))
            t = np.arange(n) / 24000
            pcm = (0.3 * np.sin(2 * np.pi * 180 * t) * 32767).astype("<i2").tobytes()
            self.send_response(200)
            self.send_header("Content-Type", "audio/pcm")
            self.send_header("Content-Length", str(len(pcm)))
            self.end_headers()
            self.wfile.write(pcm)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{httpd.server_address[1]}/v1")
    yield fake
    httpd.shutdown()


def _build(cli, tmp_path, audio: str):
    src = tmp_path / "oa.corpus"
    src.write_text(spec(audio))
    return cli("build", str(src), "-o", str(tmp_path / "out"), "--jobs", "1")


def test_openai_engine_retries_caches_and_keeps_the_key_secret(cli, tmp_path, server):
    status, output = _build(cli, tmp_path, "engine openai model \"gpt-4o-mini-tts\" stereo")
    assert status == 0, output
    out = tmp_path / "out"
    ok = [r for r in server.requests if r["_status"] == 200]
    throttled = [r for r in server.requests if r["_status"] == 429]
    assert len(throttled) == 1 and len(ok) == 9  # one per turn, the throttled one retried
    retry = next(r for r in ok if r["input"] == throttled[0]["input"])
    assert retry["_t"] - throttled[0]["_t"] >= 0.95  # Retry-After: 1 honored
    assert server.auth == {f"Bearer {KEY}"}
    assert {r["model"] for r in ok} == {"gpt-4o-mini-tts"} and all(r["response_format"] == "pcm" for r in ok)
    assert all("instructions" in r and ("Dana" in r["instructions"] or "Jordan" in r["instructions"]) for r in ok)
    voices = {r["voice"] for r in ok}
    assert len(voices) == 2  # one voice per speaker
    y, sr = sf.read(str(out / f"audio/{CALL}.wav"), always_2d=True)
    tl = json.loads((out / f"audio/{CALL}.timeline.json").read_text())
    assert sr == 24000 and y.shape[1] == 2 and abs(len(y) / sr - tl["duration"]) <= 0.01
    status, output = cli("verify", str(out))
    assert status == 0, output
    # the key appears in no file the build wrote, cache included
    for p in out.rglob("*"):
        if p.is_file():
            assert KEY.encode() not in p.read_bytes(), p
    cached = list((out / ".corpusc/tts-cache").rglob("*.pcm"))
    assert len(cached) == 9
    # a rebuild that must render the call again asks the server for nothing
    (out / f"audio/{CALL}.wav").unlink()
    before = len(server.requests)
    status, output = _build(cli, tmp_path, "engine openai model \"gpt-4o-mini-tts\" stereo")
    assert status == 0, output
    assert len(server.requests) == before
    assert (out / f"audio/{CALL}.wav").is_file()


def test_tts1_gets_no_instructions(cli, tmp_path, server):
    server.throttle_first = 0
    status, output = _build(cli, tmp_path, "engine openai model \"tts-1\" mono")
    assert status == 0, output
    assert server.requests and all("instructions" not in r and r["model"] == "tts-1" for r in server.requests)


def test_missing_key_is_a_diagnostic(cli, tmp_path, server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    status, output = _build(cli, tmp_path, "engine openai")
    assert status == 1
    assert "[E0712]" in output and "OPENAI_API_KEY" in output and "oa.corpus:" in output
    assert "Traceback" not in output and not server.requests


def test_refused_key_is_a_diagnostic_without_the_key(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens: connection refused
    import corpusc.backends.audio.openai_tts as oa
    monkeypatch.setattr(oa, "MAX_ATTEMPTS", 2)
    monkeypatch.setattr(oa.time, "sleep", lambda s: None)
    status, output = _build(cli, tmp_path, "engine openai")
    assert status == 1 and "[E0713]" in output and KEY not in output and "Traceback" not in output
