"""One payload file -> what is sent for it, and its Idempotency-Key:
`<call id>:<sha256 of everything sent>`, the same on every run for the same
bytes, so a receiver can drop a duplicate and a rebuilt payload is new."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from corpusc.deliver.errors import DeliveryError
from corpusc.deliver.sa_form import SaTarget, form, load_descriptor
from corpusc.deliver.send import Prepared
from corpusc.deliver.sources import Payload


def idempotency_key(call_id: str, sha256: str) -> str:
    return f"{call_id}:{sha256}"


def vcp(out: Path, p: Payload) -> Prepared:
    path = out / p.path
    try:
        body = path.read_bytes()
    except OSError as e:
        raise DeliveryError("E0805", f"cannot read `{p.path}`: {e.strerror}", str(path),
                            help="rebuild the corpus: corpusc build SPEC -o DIR")
    try:
        json.loads(body)
    except ValueError as e:
        raise DeliveryError("E0805", f"`{p.path}` is not valid JSON: {e}", str(path),
                            help="rebuild the corpus: corpusc build SPEC -o DIR")
    key = idempotency_key(p.call_id, hashlib.sha256(body).hexdigest())
    return Prepared(p.call_id, key, lambda: {"content": body}, content_type="application/json",
                    sha256=hashlib.sha256(body).hexdigest())


def sa(out: Path, p: Payload, target: SaTarget) -> Prepared:
    doc = load_descriptor(out, p.path)
    fields, files = form(out, p.path, doc, target)
    h = hashlib.sha256()
    for name, value in fields.items():
        for part in (name.encode(), value.encode()):
            h.update(len(part).to_bytes(8, "big") + part)
    for name, (fname, data, ctype) in files.items():
        for part in (name.encode(), fname.encode(), ctype.encode(), data):
            h.update(len(part).to_bytes(8, "big") + part)
    key = idempotency_key(p.call_id, h.hexdigest())
    raw = (out / p.path).read_bytes()
    return Prepared(p.call_id, key, lambda: {"data": fields, "files": files},
                    sha256=hashlib.sha256(raw).hexdigest())
