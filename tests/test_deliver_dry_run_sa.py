"""`deliver sa --dry-run` checks what the SA upload checks: the descriptor's
`data` against specs/sa-upload.schema.json, then the files sent with it (the
`.wav.json` timeline in the `stt_data` shape of PAYLOADS.md, a WAV for a
voice call and none for a text call), naming the file and the field of a
payload that would be rejected, before anything is sent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .deliver_corpus import sa_corpus


def _timeline(out: Path, cid: str) -> Path:
    return out / "audio" / f"{cid}.wav.json"


def _edit_json(path: Path, fn) -> None:
    doc = json.loads(path.read_text())
    fn(doc)
    path.write_text(json.dumps(doc))


def test_a_good_corpus_passes(cli, tmp_path):
    sa_corpus(tmp_path, ["voice", "text", "voice"])
    status, out = cli("deliver", "sa", str(tmp_path), "--dry-run")
    assert status == 0, out
    assert "3 valid, 0 invalid; 3 would be sent" in out


def _stype(doc):
    doc["C2"]["metadata"]["smoothed"][0]["stype"] = "robot"


def _no_c2(doc):
    del doc["C2"]


def _wrong_channel(doc):
    doc["C1"]["metadata"]["smoothed"][0]["cid"] = "C2"


def _backwards(doc):
    seg = doc["C1"]["metadata"]["smoothed"][0]
    seg["start"], seg["end"] = 3.0, 1.0


def _string_time(doc):
    doc["C1"]["metadata"]["smoothed"][0]["start"] = "0.0"


@pytest.mark.parametrize("edit, needle", [
    (_stype, "C2.metadata.smoothed.0.stype"),
    (_no_c2, "C2: Field required"),
    (_wrong_channel, "metadata.smoothed.0.cid is 'C2' on channel C1"),
    (_backwards, "start 3.0 and end 1.0"),
    (_string_time, "C1.metadata.smoothed.0.start"),
])
def test_a_timeline_the_upload_cannot_read_is_reported(cli, tmp_path, edit, needle):
    ids = sa_corpus(tmp_path, ["voice", "text"])
    _edit_json(_timeline(tmp_path, ids[1]), edit)
    status, out = cli("deliver", "sa", str(tmp_path), "--dry-run")
    assert status == 1 and "[E0806]" in out, out
    assert f"`sa/{ids[1]}.json` would be rejected by the sa receiver: at stt_data (audio/{ids[1]}.wav.json)" in out
    assert needle in out and "1 valid, 1 invalid" in out


def test_audio_must_match_the_channel(cli, tmp_path):
    ids = sa_corpus(tmp_path, ["voice", "text", "voice"])
    _edit_json(tmp_path / "sa" / f"{ids[0]}.json", lambda d: d.update(audio=None))
    _edit_json(tmp_path / "sa" / f"{ids[1]}.json", lambda d: d.update(audio=f"audio/{ids[2]}.wav"))
    status, out = cli("deliver", "sa", str(tmp_path), "--dry-run")
    assert status == 1
    assert f"`sa/{ids[0]}.json` would be rejected by the sa receiver: at audio: a voice call without audio" in out
    assert f"`sa/{ids[1]}.json` would be rejected by the sa receiver: at audio: a text call with audio" in out
    assert "would be rejected: 2 of 3, at audio (2)" in out


def test_a_non_wav_audio_file_is_reported_in_a_real_process(tmp_path):
    ids = sa_corpus(tmp_path, ["voice", "voice"])
    (tmp_path / "audio" / f"{ids[1]}.wav").write_bytes(b"ID3\x03\x00" + b"\x00" * 64)  # an MP3 named .wav
    r = subprocess.run([sys.executable, "-m", "corpusc", "deliver", "sa", str(tmp_path), "--dry-run"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"at audio: `audio/{ids[1]}.wav` is not a RIFF/WAVE file" in r.stderr
    assert str(tmp_path / "sa" / f"{ids[1]}.json") in r.stderr
    assert "1 valid, 1 invalid; 1 would be sent, nothing was sent" in r.stdout
    assert "Traceback" not in r.stderr


def test_schema_problems_come_before_the_files(cli, tmp_path):
    """A descriptor whose `data` the upload refuses is reported for that, not
    for its files."""
    ids = sa_corpus(tmp_path, ["voice"])
    _edit_json(tmp_path / "sa" / f"{ids[0]}.json", lambda d: d["data"].update(ani="call me"))
    _edit_json(_timeline(tmp_path, ids[0]), _no_c2)
    status, out = cli("deliver", "sa", str(tmp_path), "--dry-run")
    assert status == 1 and "at data.ani" in out and "stt_data" not in out.split("would be rejected:")[0]


def test_the_contact_center_example_passes_the_sa_dry_run(cli, tmp_path):
    """A slice of the example as built (audio and sa), voice and text calls."""
    from .conftest import EXAMPLES
    out = tmp_path / "cc"
    status, text = cli("build", str(EXAMPLES / "contact_center.corpus"), "-o", str(out), "--jobs", "2",
                       "--shard", "1/25", "--only", "audio,sa")
    assert status == 0, text
    descs = [json.loads(p.read_text()) for p in sorted((out / "sa").glob("*.json"))]
    assert len(descs) == 8 and {d["data"]["channel"] for d in descs} == {"voice", "text"}
    status, text = cli("deliver", "sa", str(out), "--dry-run")
    assert status == 0, text
    assert "8 valid, 0 invalid; 8 would be sent" in text
