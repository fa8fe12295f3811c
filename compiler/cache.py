"""A cache of parsed modules, so the stdlib (and unchanged specs) are not
re-parsed on every `corpusc check`: keyed by corpusc version, file name and
the sha256 of the text, stored as pickles in the user's cache directory.
Set CORPUSC_NO_CACHE=1 to bypass it. A broken or unwritable cache is ignored."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from corpusc import __version__


def cache_dir() -> Path | None:
    """This version's folder of the user's cache (None: CORPUSC_NO_CACHE is set);
    the template renderer keeps its prepared banks there too."""
    return _dir()


def _dir() -> Path | None:
    if os.environ.get("CORPUSC_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "corpusc" / __version__


_CODE: bytes | None = None


def _code() -> bytes:
    """A fingerprint of the code that builds modules, so a changed grammar or AST
    never reads a stale pickle, even within one version."""
    global _CODE
    if _CODE is None:
        from corpusc.compiler.paths import GRAMMAR
        from corpusc.diagnostics import model
        here = Path(__file__).parent
        h = hashlib.sha256()
        for p in (GRAMMAR, here / "nodes.py", here / "transform.py", Path(model.__file__)):
            h.update(p.read_bytes())
        _CODE = h.digest()
    return _CODE


def _key(display: str, text: str) -> str:
    h = hashlib.sha256()
    h.update(__version__.encode() + b"\0" + _code() + display.encode() + b"\0" + text.encode())
    return h.hexdigest()


def get(display: str, text: str):
    d = _dir()
    if d is None:
        return None
    try:
        with open(d / (_key(display, text) + ".pickle"), "rb") as f:
            cls, fields, chunks = pickle.load(f)
            items = []
            for _ in range(chunks):
                items += pickle.load(f)
            return cls(items=items, **fields)
    except Exception:  # noqa: BLE001 - a cache miss, whatever the reason
        return None


# Top-level items per pickle: a pickle's memo (the pickler's and the
# unpickler's) holds every object in it until its end, as much again as the
# objects themselves for a large spec; a chunk's memo goes with the chunk.
CHUNK = 64


def put(display: str, text: str, module) -> None:
    d = _dir()
    if d is None:
        return
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            p = pickle.Pickler(f, protocol=pickle.HIGHEST_PROTOCOL)
            items = module.items
            fields = {k: getattr(module, k) for k in module._fields if k != "items"}
            p.dump((type(module), fields, -(-len(items) // CHUNK)))
            for i in range(0, len(items), CHUNK):
                p.clear_memo()
                p.dump(items[i:i + CHUNK])
        os.replace(tmp, d / (_key(display, text) + ".pickle"))
    except Exception:  # noqa: BLE001 - caching is best effort
        pass
