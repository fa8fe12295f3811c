"""The SA multipart request from one descriptor (`sa/<call_id>.json`), exactly
as PAYLOADS.md has it: form fields `storageBackendId`, `pipelineId`,
`indexName`, `data` (a JSON string, numbers typed), `channelMap` when set;
files `stt_data` (the `.wav.json`) and `audio` (the `.wav`, absent for text
calls)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from corpusc.deliver.errors import DeliveryError

OK_STATUS = (200, 201, 202)
AUDIO_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg"}


class SaTarget(BaseModel):
    """Where in SA the calls go; `index_name` overrides the descriptor's, and
    the project id stands in when neither names an index (as seed 004 does)."""
    model_config = ConfigDict(frozen=True)
    project_id: str = ""
    pipeline_id: str = ""
    storage_backend_id: str = ""
    index_name: str | None = None


def load_descriptor(out: Path, rel: str) -> dict[str, Any]:
    path = out / rel
    try:
        doc = json.loads(path.read_bytes())
    except OSError as e:
        raise DeliveryError("E0805", f"cannot read `{rel}`: {e.strerror}", str(path),
                            help="rebuild the corpus: corpusc build SPEC -o DIR")
    except ValueError as e:
        raise DeliveryError("E0805", f"`{rel}` is not valid JSON: {e}", str(path),
                            help="rebuild the corpus: corpusc build SPEC -o DIR")
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict) or not isinstance(doc.get("stt_data"), str):
        raise DeliveryError("E0805", f"`{rel}` is not an SA descriptor (needs `data` and `stt_data`)", str(path),
                            help="rebuild the corpus with `emit sa`")
    return doc


def _inside(out: Path, rel: str, owner: str) -> Path:
    path = (out / rel).resolve()
    if not path.is_relative_to(out.resolve()):
        raise DeliveryError("E0805", f"`{owner}` refers to `{rel}`, outside the corpus directory", str(out / owner),
                            help="descriptor paths are relative to the corpus directory")
    return path


def form(out: Path, rel: str, doc: dict[str, Any], target: SaTarget
         ) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    """(fields, files) for httpx's `data=` and `files=`; reads the files."""
    data = doc["data"]
    index = target.index_name or doc.get("index_name") or target.project_id
    fields = {
        "storageBackendId": target.storage_backend_id,
        "pipelineId": target.pipeline_id,
        "indexName": index,
        "data": json.dumps(data, ensure_ascii=False),
    }
    if doc.get("channel_map"):
        fields["channelMap"] = str(doc["channel_map"])
    base = str(data.get("original_filename") or Path(doc["stt_data"]).name.removesuffix(".json"))
    files: dict[str, tuple[str, bytes, str]] = {}
    wanted = [("stt_data", doc["stt_data"], base + ".json", "application/json")]
    if doc.get("audio"):
        ctype = AUDIO_TYPES.get(Path(str(doc["audio"])).suffix.lower(), "application/octet-stream")
        wanted.append(("audio", doc["audio"], base, ctype))
    for field, path_rel, name, ctype in wanted:
        path = _inside(out, str(path_rel), rel)
        try:
            files[field] = (name, path.read_bytes(), ctype)
        except OSError as e:
            raise DeliveryError("E0805", f"`{rel}` needs `{path_rel}`: {e.strerror}", str(out / path_rel),
                                help="build the corpus with `emit audio` so the timeline and audio exist")
    return fields, files
