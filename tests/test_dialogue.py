"""The contact-center dialogue format: localized header (EN and DE) from the
call's metadata, `---- DIALOGUE ----`, `Agent:`/`Customer:` (`Kunde:`), and
`[hold Ns]`/`[silence Ns]` lines that add up to the metadata's hold and
silence times; timings leave room for them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import EXAMPLES


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from corpusc.cli.main import main
    out = tmp_path_factory.mktemp("cc") / "out"
    res = CliRunner().invoke(main, ["build", str(EXAMPLES / "contact_center.corpus"), "-o", str(out),
                                    "--only", "transcripts"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


def _plan(out: Path) -> dict[str, dict]:
    return {c["id"]: c for c in json.loads((out / "plan.json").read_text())["calls"]}


def _split(text: str) -> tuple[dict[str, str], list[str]]:
    head, body = text.split("---- DIALOGUE ----\n")
    return dict(line.split(": ", 1) for line in head.splitlines()), body.splitlines()


def test_header_is_localized_and_typed_values_read_back(built):
    plan = _plan(built)
    langs = set()
    for cid, call in plan.items():
        header, body = _split((built / "transcripts" / f"{cid}.dialogue.txt").read_text())
        m = call["metadata"]
        de = call["locale"] == "de-DE"
        langs.add(call["locale"])
        assert header["Anruf-ID" if de else "Call ID"] == cid
        assert header["Rufnummer" if de else "ANI"] == m["ANI"]
        assert header["Agent" if de else "Agent name"] == m["agent_name"]
        weekday = header["Wochentag" if de else "Weekday"]
        assert weekday == {"mon": "Montag" if de else "Monday", "tue": "Dienstag" if de else "Tuesday",
                           "wed": "Mittwoch" if de else "Wednesday", "thu": "Donnerstag" if de else "Thursday",
                           "fri": "Freitag" if de else "Friday"}[call["weekday"]]
        fcr = header["Erstlösung" if de else "FCR"]
        assert fcr == ({True: "ja", False: "nein"} if de else {True: "yes", False: "no"})[m["FCR"]]
        awt = header["Wartezeit (s)" if de else "Wait time (s)"]
        assert float(awt.replace(",", ".")) == m["AWT"]
        speakers = {line.split(":", 1)[0] for line in body if not line.startswith("[")}
        assert speakers == ({"Agent", "Kunde"} if de else {"Agent", "Customer"})
    assert langs == {"de-DE", "en-US"}


def test_hold_and_silence_tags_match_the_metadata(built):
    plan = _plan(built)
    holds = 0
    for cid, call in plan.items():
        m = call["metadata"]
        _, body = _split((built / "transcripts" / f"{cid}.dialogue.txt").read_text())
        tags = [re.fullmatch(r"\[(hold|silence) (\d+\.\d)s\]", line) for line in body if line.startswith("[")]
        assert all(tags), body
        hold = sum(float(t.group(2)) for t in tags if t.group(1) == "hold")
        silence = sum(float(t.group(2)) for t in tags if t.group(1) == "silence")
        if m["channel"] == "text":  # a chat is typed: its waits are time between messages, given as data in the JSON
            assert not tags, body
            waits = [w for t in json.loads((built / "transcripts" / f"{cid}.json").read_text())["turns"]
                     for w in t.get("waits", ())]
            hold = round(sum(w["seconds"] for w in waits if w["kind"] == "hold"), 1)
            silence = round(sum(w["seconds"] for w in waits if w["kind"] == "silence"), 1)
        want_hold = round(m["Hold_time"], 1)  # a chat's hold too: a wait in the chat
        assert hold == pytest.approx(want_hold, abs=0.051)
        assert silence == pytest.approx(round(m["Silence_total_seconds"], 1), abs=0.051)
        assert m["Silence_total_seconds"] == pytest.approx(m["Silence_ratio"] / 100 * m["duration_sec"], abs=0.001)
        holds += hold > 0
        # the timing model leaves the hold's seconds before the agent's turn
        doc = json.loads((built / "transcripts" / f"{cid}.json").read_text())
        for prev, t in zip(doc["turns"], doc["turns"][1:]):
            cues = t.get("annotations") or t.get("cues") or []
            gap = sum(float(c.split()[1][:-1]) for c in cues if c.startswith(("hold ", "silence "))) + \
                sum(w["seconds"] for w in t.get("waits", ()) if w["kind"] != "pause")
            if gap:
                assert t["start"] - prev["end"] >= gap - 0.01
    assert 60 <= holds <= 140  # a share of each intent's voice calls holds (stdlib/domains/plot.json, hold_share), not every one


def test_dialogue_snapshot(built, text_snapshot):
    assert (built / "transcripts" / "bank_service.00002.dialogue.txt").read_text() == text_snapshot
