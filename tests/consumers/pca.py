"""The duration and word-time logic of AWS's post-call analytics sample
(aws-samples/amazon-transcribe-post-call-analytics, its Call Analytics turn
parser), restated: each segment's words come from its `pronunciation` Items
(punctuation glued onto the word before), each with start/end seconds from
the item offsets and its confidence; the call's duration is the end time of
the last word of the last segment, or 0.0 when no segment has words."""

from __future__ import annotations

from typing import Any


def segments(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for turn in doc["Transcript"]:
        words: list[dict[str, Any]] = []
        for item in turn.get("Items", []):
            if item["Type"] == "pronunciation":
                words.append({"Text": item["Content"], "Confidence": float(item.get("Confidence", 0.0)),
                              "StartTime": float(item["BeginOffsetMillis"]) / 1000.0,
                              "EndTime": float(item["EndOffsetMillis"]) / 1000.0})
            elif words:
                words[-1]["Text"] += item["Content"]
        out.append({"start": turn["BeginOffsetMillis"] / 1000.0, "end": turn["EndOffsetMillis"] / 1000.0,
                    "words": words})
    return out


def duration(doc: dict[str, Any]) -> float:
    segs = segments(doc)
    return float(segs[-1]["words"][-1]["EndTime"]) if segs and segs[-1]["words"] else 0.0


def mean_confidence(doc: dict[str, Any]) -> float:
    words = [w for s in segments(doc) for w in s["words"]]
    return sum(w["Confidence"] for w in words) / max(len(words), 1)
