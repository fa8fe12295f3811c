"""--dry-run's check: every payload against its JSON Schema (shipped in
specs/), collecting one message per payload that does not conform."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from corpusc.compiler.paths import SPECS

SCHEMAS = {"vcp": "vcp-0.3.schema.json", "sa": "sa-upload.schema.json"}


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
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def problems(kind: str, doc: Any) -> list[str]:
    """Readable messages (`at vcp_payload.call.start_time: ...`), best first."""
    v = validator(kind)
    if v is None:
        return _wrapper_problems(kind, doc)
    import jsonschema
    errors = sorted(v.iter_errors(doc), key=jsonschema.exceptions.relevance)
    out = []
    for e in errors[:5]:
        where = ".".join(str(x) for x in e.absolute_path) or "(top level)"
        out.append(f"at {where}: {e.message}")
    return out


def _wrapper_problems(kind: str, doc: Any) -> list[str]:
    if not isinstance(doc, dict):
        return ["(top level): not a JSON object"]
    need = ("call_id", "vcp_version", "vcp_payload") if kind == "vcp" else ("data", "stt_data")
    return [f"(top level): `{k}` is missing" for k in need if k not in doc]
