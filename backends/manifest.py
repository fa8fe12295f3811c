"""manifest.json: every output file with its sha256 and call, plus the spec
hash, corpusc version and seed. Deterministic (no timings), so a sharded build
merges into the same manifest as an unsharded one. Updates go through a lock
file so shards writing into one directory can merge safely."""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from corpusc.compiler.atomic import write_text

MANIFEST = "manifest.json"


def read(out: Path) -> dict[str, Any]:
    try:
        doc = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        if isinstance(doc, dict) and isinstance(doc.get("calls"), dict):
            return doc
    except (OSError, ValueError):
        pass
    return {"calls": {}}


@contextmanager
def locked(out: Path) -> Iterator[None]:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".manifest.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def merge(out: Path, meta: dict[str, Any], entries: dict[str, dict], *, drop: set[str] = frozenset(),
          extra_files: dict[str, str] | None = None) -> dict[str, Any]:
    """Merge this run's call entries into manifest.json under the lock."""
    with locked(out):
        doc = read(out)
        calls = doc.get("calls", {})
        if doc.get("spec_hash") != meta["spec_hash"] or doc.get("corpusc_version") != meta["corpusc_version"]:
            # the spec changed: keep entries (their content hashes still decide reuse)
            pass
        for cid in drop:
            calls.pop(cid, None)
        calls.update(entries)
        files = dict(doc.get("files", {}))
        if extra_files:
            files.update(extra_files)
        new = {**meta, "files": dict(sorted(files.items())),
               "calls": dict(sorted(calls.items(), key=lambda kv: (kv[1].get("index", 0), kv[0])))}
        write_text(out / MANIFEST, json.dumps(new, indent=1, ensure_ascii=False) + "\n")
        return new


def sha256_file(path: Path) -> str:
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def remove_stale(out: Path, doc: dict[str, Any], keep: set[str]) -> int:
    """Delete files of calls that are no longer in the plan."""
    n = 0
    for cid, entry in list(doc.get("calls", {}).items()):
        if cid in keep:
            continue
        for rel in entry.get("files", {}):
            try:
                os.unlink(out / rel)
                n += 1
            except FileNotFoundError:
                pass
    return n
