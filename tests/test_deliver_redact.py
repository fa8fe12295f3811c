"""Secrets never leave the process: a bearer token, URL userinfo, query values
and declared path segments appear in no output, report or journal, even when
the receiver echoes them back in an error body."""

from __future__ import annotations

import base64
import json

from corpusc.deliver.redact import redactor_for

from .deliver_corpus import vcp_corpus
from .receiver import Act, Receiver

TOKEN = "tok-4f9a8c1e5b7d2a6f"
USER, PASSWORD, QKEY, SEGMENT = "svc-user", "hunter2-pass-xyz", "qk-83jd92kd0s", "hook-7c2e91aa"


def _all_outputs(out_dir, printed: str) -> str:
    blobs = [printed, (out_dir / "delivery_report.json").read_text()]
    for p in (out_dir / ".corpusc").iterdir():  # the journal, its WAL, the lock
        blobs.append(p.read_bytes().decode("latin-1"))
    return "\n".join(blobs)


def _assert_clean(text: str) -> None:
    for secret in (TOKEN, PASSWORD, QKEY, SEGMENT, f"{USER}:{PASSWORD}",
                   base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()):
        assert secret not in text


def test_token_query_and_path_segment_never_printed_or_stored(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CORPUSC_TEST_TOKEN", TOKEN)
    vcp_corpus(tmp_path, 3)
    with Receiver(lambda key, n: Act(status=401, echo=True)) as rec:
        url = f"{rec.url}/in/{SEGMENT}/calls?key={QKEY}&v=1"
        status, out = cli("deliver", "vcp", str(tmp_path), "--url", url, "--token-env", "CORPUSC_TEST_TOKEN",
                          "--secret-path-segment", "2", "--header", f"X-Api-Key: {QKEY}", "--rps", "0")
        got = rec.requests[0]
    assert status == 1
    # the receiver did get the credentials...
    assert got.headers["Authorization"] == f"Bearer {TOKEN}" and got.path == f"/in/{SEGMENT}/calls?key={QKEY}&v=1"
    assert "[E0807]" in out and "HTTP 401" in out and "/in/***/calls?key=***&v=***" in out
    _assert_clean(_all_outputs(tmp_path, out))
    assert json.loads((tmp_path / "delivery_report.json").read_text())["url"].endswith("/in/***/calls?key=***&v=***")


def test_url_userinfo_is_sent_as_basic_auth_and_never_printed(cli, tmp_path):
    vcp_corpus(tmp_path, 2)
    with Receiver(lambda key, n: Act(status=500, echo=True)) as rec:
        host = rec.url.removeprefix("http://")
        url = f"http://{USER}:{PASSWORD}@{host}/x?key={QKEY}"
        status, out = cli("deliver", "vcp", str(tmp_path), "--url", url, "--retries", "1", "--rps", "0",
                          "--backoff-base", "0.01")
        got = rec.requests[0]
    assert status == 1 and "[E0808]" in out
    assert got.headers["Authorization"] == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert "http://***@127.0.0.1" in out
    _assert_clean(_all_outputs(tmp_path, out))


def test_dry_run_hides_secret_headers_and_url_parts(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CORPUSC_TEST_TOKEN", TOKEN)
    vcp_corpus(tmp_path, 1)
    url = f"https://{USER}:{PASSWORD}@example.invalid/a/{SEGMENT}?key={QKEY}"
    status, out = cli("deliver", "vcp", str(tmp_path), "--url", url, "--dry-run", "--token-env",
                      "CORPUSC_TEST_TOKEN", "--secret-path-segment", SEGMENT, "--header", "X-Source: corpusc")
    assert status == 0, out
    assert "https://***@example.invalid/a/***?key=***" in out and "Authorization: ***" in out
    assert "X-Source: corpusc" in out
    _assert_clean(out)


def test_redactor_url_forms():
    r = redactor_for("https://u:p4ss@h.example:8443/a/b/c?x=1&y=secret-y", secret_segments=("-1",))
    assert r.url_display == "https://***@h.example:8443/a/b/***?x=***&y=***"
    assert r.text("failed for https://u:p4ss@h.example:8443/a/b/c?x=1&y=secret-y: 401") == \
        "failed for https://***@h.example:8443/a/b/***?x=***&y=***: 401"
    assert r.text("GET /a/b/c?x=1&y=secret-y Basic dTpwNHNz") == "GET /a/b/c?x=1&y=*** Basic ***"
    assert redactor_for("http://h/p").url_display == "http://h/p"
    assert redactor_for("http://h/a/b", secret_segments=("1",)).url_display == "http://h/***/b"
