"""--dry-run's check: each payload as its receiver checks it, so a payload the
receiver would reject is reported before anything is sent.

The checks live in the schema files of specs/ (vcp-0.3.schema.json says what
VoiceLens's VCP models check; sa-upload.schema.json what the SA upload's
`data` must hold). JSON Schema cannot say "these two values are equal", so a
schema lists such pairs of JSON pointers under `x-equal` and the validator
here checks them. An SA upload also sends files: their checks are in
`sa_file_problems`."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from corpusc.compiler.paths import SPECS

SCHEMAS = {"vcp": "vcp-0.3.schema.json", "sa": "sa-upload.schema.json"}
SHOWN_PROBLEMS = 5  # per payload


@lru_cache(maxsize=None)
def validator(kind: str):
    """The schema's validator, or None when this install has no schema for the
    kind (then only the wrapper is checked)."""
    import jsonschema
    try:
        text = (SPECS / SCHEMAS[kind]).read_text(encoding="utf-8")
    except OSError:
        return None
    schema = json.loads(text)
    base = jsonschema.validators.validator_for(schema)
    cls = jsonschema.validators.extend(base, {"x-equal": _equal})
    return cls(schema, format_checker=base.FORMAT_CHECKER)


def _pointer(doc: Any, pointer: str) -> tuple[bool, Any, list[str]]:
    """(found, value, path) of an RFC 6901 pointer."""
    path = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    cur = doc
    for t in path:
        if isinstance(cur, dict) and t in cur:
            cur = cur[t]
        elif isinstance(cur, list) and t.isdigit() and int(t) < len(cur):
            cur = cur[int(t)]
        else:
            return False, None, path
    return True, cur, path


def _equal(v, pairs, instance, schema) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError as SchemaError
    for first, second in pairs:
        ok1, a, p1 = _pointer(instance, first)
        ok2, b, p2 = _pointer(instance, second)
        if ok1 and ok2 and not (a == b and type(a) is type(b)):
            yield SchemaError(f"{_short(b)} differs from `{'.'.join(p1)}` {_short(a)}; they must be equal",
                              path=p2, validator="x-equal", validator_value=pairs, instance=instance, schema=schema)


def problems(kind: str, doc: Any) -> list[str]:
    """Readable messages (`at vcp_payload.custom.synthetic_recipe: ...`),
    most relevant first, at most SHOWN_PROBLEMS."""
    v = validator(kind)
    if v is None:
        return _wrapper_problems(kind, doc)
    import jsonschema
    errors = sorted(v.iter_errors(doc), key=jsonschema.exceptions.relevance)
    return [f"at {where(e.absolute_path)}: {_message(e)}" for e in errors[:SHOWN_PROBLEMS]]


def where(path) -> str:
    return ".".join(str(x) for x in path) or "(top level)"


_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null",
               int: "an integer", float: "a number"}


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _message(e) -> str:
    """jsonschema's message, with the value cut short (a wrong-typed object is
    not printed whole) and a pattern named by its description."""
    if e.validator == "type":
        want = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        got = _JSON_TYPES.get(type(e.instance), type(e.instance).__name__)
        return f"{got} ({_short(e.instance)}) where the receiver wants {' or '.join(want)}"
    if e.validator == "pattern":
        what = e.schema.get("description") or f"matching {e.validator_value}"
        return f"{_short(e.instance)} is not {what}"
    if e.validator in ("enum", "const", "minimum", "maximum", "minLength", "format"):
        return e.message.replace(repr(e.instance), _short(e.instance), 1)
    return e.message if len(e.message) <= 200 else e.message[:197] + "..."


def _wrapper_problems(kind: str, doc: Any) -> list[str]:
    if not isinstance(doc, dict):
        return ["(top level): not a JSON object"]
    need = ("call_id", "vcp_version", "vcp_payload") if kind == "vcp" else ("data", "stt_data")
    return [f"(top level): `{k}` is missing" for k in need if k not in doc]


# ---- the files of an SA upload ------------------------------------------------------

class _Segment(BaseModel):
    """One entry of `metadata.smoothed`: a stretch of one channel's speech
    (or hold music), seconds from the call's start."""
    model_config = ConfigDict(strict=True)
    start: float
    end: float
    cid: Literal["C1", "C2"]
    text: str
    denormalized: str
    stype: Literal["female", "male", "music"]

    @model_validator(mode="after")
    def _ordered(self):
        if not 0 <= self.start <= self.end:
            raise ValueError(f"start {self.start} and end {self.end} are not 0 <= start <= end")
        return self


class _Smoothed(BaseModel):
    smoothed: list[_Segment]


class _Channel(BaseModel):
    """C1 (the agent, left) or C2 (the customer, right); C1 also carries
    the header's keys, which the uploader copies into `custom.*`."""
    cid: Literal["1", "2"]
    metadata: _Smoothed


class _Timeline(BaseModel):
    """The `.wav.json` the upload sends as `stt_data` (PAYLOADS.md)."""
    C1: _Channel
    C2: _Channel

    @field_validator("C1", "C2")
    @classmethod
    def _own_segments(cls, ch: _Channel, info) -> _Channel:
        want = info.field_name
        if ch.cid != want[1:]:
            raise ValueError(f"cid is {ch.cid!r}, wants {want[1:]!r}")
        for i, seg in enumerate(ch.metadata.smoothed):
            if seg.cid != want:
                raise ValueError(f"metadata.smoothed.{i}.cid is {seg.cid!r} on channel {want}")
        return ch


def sa_file_problems(out: Path, doc: dict[str, Any]) -> list[str]:
    """What the SA upload checks in the files it sends with a descriptor that
    matches its schema: the timeline parses as the `stt_data` shape, a voice
    call sends a WAV and a text call sends none."""
    found: list[str] = []
    data = doc.get("data") or {}
    channel, audio = data.get("channel"), doc.get("audio")
    if channel == "voice" and not audio:
        found.append("at audio: a voice call without audio; the upload sends its .wav as `audio`")
    if channel == "text" and audio:
        found.append("at audio: a text call with audio; the upload sends no `audio` for text calls")
    try:
        raw = (out / doc["stt_data"]).read_bytes()
        _Timeline.model_validate_json(raw)
    except OSError as e:
        found.append(f"at stt_data: cannot read `{doc['stt_data']}`: {e.strerror}")
    except ValidationError as e:
        for err in e.errors()[:SHOWN_PROBLEMS]:
            found.append(f"at stt_data ({doc['stt_data']}) {where(err['loc'])}: {err['msg']}")
    if audio and str(audio).lower().endswith(".wav"):
        try:
            with open(out / audio, "rb") as f:
                head = f.read(12)
        except OSError as e:
            found.append(f"at audio: cannot read `{audio}`: {e.strerror}")
        else:
            if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                found.append(f"at audio: `{audio}` is not a RIFF/WAVE file")
    return found


def rejections(kind: str, out: Path, doc: Any) -> list[str]:
    """Every reason the receiver would reject this payload (none: it would
    take it): the schema's, then, for an SA descriptor that passes it, the
    files'."""
    found = problems(kind, doc)
    if kind == "sa" and not found and isinstance(doc, dict):
        found = sa_file_problems(out, doc)
    return found


def field_of(message: str) -> str:
    """The location a message of `problems` names (`vcp_payload.custom.x`)."""
    return message[3:].split(":", 1)[0].split(" (", 1)[0] if message.startswith("at ") else "(top level)"
