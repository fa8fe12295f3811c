"""Reading a predictions file (JSONL) or folder (`<call_id>.json` files) into
records, each problem a located diagnostic: E1101 not JSON, E1102 not the
predictions schema, E1104 one call predicted twice."""

from __future__ import annotations

import os
from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from corpusc.diagnostics.model import Sink, Span
from corpusc.score.predictions import CallPrediction


@dataclass(slots=True)
class Record:
    file: str
    line: int
    prediction: CallPrediction


def read(path: str, sink: Sink) -> tuple[dict[str, Record], dict[str, str]]:
    """Records by call id, and the source text of each file (for diagnostics)."""
    records: dict[str, Record] = {}
    sources: dict[str, str] = {}
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.endswith(".json"))
        if not names:
            sink.add("E1102", f"{path} holds no `<call_id>.json` prediction files", Span.point(path),
                     help="write one JSON object per call, or give a JSONL file (docs/scoring.md)")
        for n in names:
            f = os.path.join(path, n)
            text = _text(f, sink)
            if text is not None:
                sources[f] = text
                _one(f, 1, text, records, sink)
        return records, sources
    text = _text(path, sink)
    if text is None:
        return records, sources
    sources[path] = text
    for no, line in enumerate(text.split("\n"), 1):
        if line.strip():
            _one(path, no, line, records, sink)
    return records, sources


def _text(path: str, sink: Sink) -> str | None:
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8")
    except UnicodeDecodeError as e:
        sink.add("E1101", f"{path} is not UTF-8 text: {e.reason} at byte {e.start}", Span.point(path),
                 help="predictions are JSON, which is UTF-8")
    except OSError as e:
        sink.add("E1101", f"cannot read {path}: {e.strerror or e}", Span.point(path))
    return None


def _one(file: str, no: int, text: str, records: dict[str, Record], sink: Sink) -> None:
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        pos = min(e.pos, len(text))
        line, col = no + text.count("\n", 0, pos), pos - text.rfind("\n", 0, pos)
        sink.add("E1101", f"not valid JSON: {e.msg}", Span.point(file, line, col, pos),
                 label="here", help="each line of a JSONL file is one complete JSON object")
        return
    try:
        p = CallPrediction.model_validate(doc)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "(the object)"
        more = f" (and {len(e.errors()) - 1} more)" if len(e.errors()) > 1 else ""
        sink.add("E1102", f"`{where}`: {err['msg']}{more}", Span.point(file, no, 1),
                 help="see specs/predictions.schema.json and docs/scoring.md for the format")
        return
    old = records.get(p.call_id)
    if old is not None:
        sink.add("E1104", f"call `{p.call_id}` is predicted twice (first at {old.file}:{old.line})",
                 Span.point(file, no, 1), help="give each call one prediction object")
        return
    records[p.call_id] = Record(file, no, p)
