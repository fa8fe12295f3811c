"""Small hand-made corpus directories for delivery tests and benchmarks: VCP
payloads and SA descriptors with their timeline and WAV files, listed in a
manifest.json the way `corpusc build` writes it."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import wave
from pathlib import Path


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def vcp_payload(i: int) -> dict:
    cid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"test/{i}"))
    start = f"2025-10-09T{8 + i % 10:02d}:{i % 60:02d}:10.000Z"
    return {
        "call_id": cid, "vcp_version": "0.3",
        "vcp_payload": {
            "call": {"call_id": cid, "session_id": f"{cid}-session", "provider": "synthetic",
                     "start_time": start, "end_time": start, "duration_sec": 60 + i,
                     "capabilities_invoked": ["calendar_api"],
                     "purpose_contract": {"declared_intent": "book_service",
                                          "success_criteria": [{"id": "booked", "metric": "booking_created",
                                                                "operator": "==", "value": True}]}},
            "outcomes": {"perceived": [], "objective": {"status": "success", "scored_criteria": [],
                                                        "metrics": {"aht_sec": 60 + i, "first_contact_resolution": True,
                                                                    "interruptions": 0, "handoff_performed": False},
                                                        "confidence": 0.9},
                         "perception_gap": {"gap_score": 0.1, "gap_class": "aligned", "drivers": []}},
            "artifacts": {}, "custom": {"provider_specific": {}, "outcome_hint": "booked_service",
                                        "synthetic": True, "synthetic_recipe": "test_recipe_v1"},
            "audit": {"received_at": start, "normalized_at": start, "schema_version": "0.3"}},
    }


def write_manifest(out: Path, calls: dict[str, dict[str, bytes]]) -> None:
    doc = {"corpusc_version": "test", "calls": {
        cid: {"index": i, "hash": "x", "files": {p: _sha(b) for p, b in sorted(files.items())}}
        for i, (cid, files) in enumerate(calls.items())}}
    (out / "manifest.json").write_text(json.dumps(doc, indent=1))


def vcp_corpus(out: Path, n: int, manifest: bool = True) -> list[str]:
    """n calls `test.00001`...; returns the call ids in order."""
    calls: dict[str, dict[str, bytes]] = {}
    (out / "vcp").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        cid = f"test.{i + 1:05d}"
        data = (json.dumps(vcp_payload(i), indent=2) + "\n").encode()
        (out / "vcp" / f"{cid}.json").write_bytes(data)
        calls[cid] = {f"vcp/{cid}.json": data}
    if manifest:
        write_manifest(out, calls)
    return list(calls)


def wav_bytes(seconds: float = 0.05, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x01\x00\xff\xff" * int(seconds * rate))
    return buf.getvalue()


def sa_corpus(out: Path, channels: list[str], channel_map: str | None = "agent=left,customer=right") -> list[str]:
    """One call per entry of `channels` (voice|text); voice calls get a WAV."""
    calls: dict[str, dict[str, bytes]] = {}
    for i, ch in enumerate(channels):
        cid = f"bank.{i + 1:05d}"
        header = {"call_id": cid, "agent": "anna", "agent_name": "Anna Ziegler", "team": "Team A",
                  "channel": ch, "ANI": "+49 151 0000 %04d" % i, "NPS_score": 7 + i % 3,
                  "sentiment_score": 0.25, "FCR": True, "Hold_time": 12.5}
        data = {"session_id": str(uuid.uuid5(uuid.NAMESPACE_URL, cid)), "start_date": "2025-09-01T06:18:42Z",
                "ani": "+4915100%04d" % i, "direction": "in", "disconnect_reason": "far_hangup",
                "segments.call_center_attributes.operator": "anna",
                "segments.call_center_attributes.operator_name": "Anna Ziegler",
                "segments.call_center_attributes.group": "Team A",
                "segments.call_center_attributes.group_name": "Team A",
                "original_filename": "Anna_Ziegler_20250901061842_4915100%04d.wav" % i, "channel": ch}
        data.update({f"custom.{k}": v for k, v in header.items()})
        timeline = {"C1": {"cid": "1", "metadata": {"smoothed": [
            {"start": 0.0, "end": 1.2, "cid": "C1", "text": "Guten Tag", "denormalized": "Guten Tag",
             "stype": "female"}]}, **header},
            "C2": {"cid": "2", "metadata": {"smoothed": [
                {"start": 1.4, "end": 2.0, "cid": "C2", "text": "Hallo", "denormalized": "Hallo",
                 "stype": "male"}]}}}
        files = {f"audio/{cid}.wav.json": json.dumps(timeline).encode()}
        if ch == "voice":
            files[f"audio/{cid}.wav"] = wav_bytes()
        desc = {"data": data, "index_name": "synthetic-bank", "channel_map": channel_map,
                "stt_data": f"audio/{cid}.wav.json", "audio": f"audio/{cid}.wav" if ch == "voice" else None}
        files[f"sa/{cid}.json"] = (json.dumps(desc, indent=2) + "\n").encode()
        for rel, b in files.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(b)
        calls[cid] = files
    write_manifest(out, calls)
    return list(calls)
