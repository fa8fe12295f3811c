"""Which payloads a built corpus holds, in delivery order: the calls of
manifest.json by their index, or the sorted files of the kind's folder when
there is no manifest (a directory assembled by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict

from corpusc.deliver.errors import DeliveryError

Kind = Literal["vcp", "sa"]


class Payload(BaseModel):
    """One payload file of one call; `recorded` is the sha256 the build wrote
    in the manifest (None without a manifest)."""
    model_config = ConfigDict(frozen=True)
    call_id: str
    path: str  # relative to the corpus directory, forward slashes
    recorded: str | None = None


def find_payloads(out: Path, kind: Kind) -> list[Payload]:
    if not out.exists():
        raise DeliveryError("E0801", f"directory `{out}` does not exist", str(out),
                            help="pass the output directory of `corpusc build` (its -o)")
    if not out.is_dir():
        raise DeliveryError("E0801", f"`{out}` is not a directory", str(out),
                            help="pass the output directory of `corpusc build` (its -o)")
    manifest = out / "manifest.json"
    found: list[Payload]
    if manifest.exists():
        found = list(_from_manifest(manifest, kind))
    else:
        folder = out / kind
        if not folder.is_dir():
            raise DeliveryError("E0801", f"`{out}` has no manifest.json and no `{kind}/` folder", str(out),
                                help="build the corpus first: corpusc build SPEC -o DIR")
        found = [Payload(call_id=p.stem, path=f"{kind}/{p.name}") for p in sorted(folder.glob("*.json"))]
    if not found:
        raise DeliveryError("E0802", f"`{out}` holds no `{kind}` payloads", str(manifest if manifest.exists() else out),
                            help=f"add `emit {kind}` to the spec and build again")
    return found


def _from_manifest(manifest: Path, kind: Kind) -> Iterator[Payload]:
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DeliveryError("E0801", f"cannot read `{manifest}`: {e}", str(manifest),
                            help="rebuild the corpus; manifest.json is written at the end of `corpusc build`")
    calls = doc.get("calls") if isinstance(doc, dict) else None
    if not isinstance(calls, dict):
        raise DeliveryError("E0801", f"`{manifest}` is not a corpusc manifest (no `calls`)", str(manifest),
                            help="rebuild the corpus with `corpusc build`")
    entries = [(e.get("index", 0) if isinstance(e, dict) else 0, cid, e) for cid, e in calls.items()]
    entries.sort(key=lambda t: (t[0] if isinstance(t[0], int) else 0, t[1]))
    want = f"{kind}/"
    for _, cid, entry in entries:
        files = entry.get("files") if isinstance(entry, dict) else None
        if not isinstance(files, dict):
            continue
        for path, sha in sorted(files.items()):
            if path.startswith(want) and path.endswith(".json") and "/" not in path[len(want):]:
                yield Payload(call_id=cid, path=path, recorded=sha if isinstance(sha, str) else None)
