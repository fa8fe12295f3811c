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
            return pickle.load(f)
    except Exception:  # noqa: BLE001 - a cache miss, whatever the reason
        return None


def put(display: str, text: str, module) -> None:
    d = _dir()
    if d is None:
        return
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            _Pickler(f, protocol=pickle.HIGHEST_PROTOCOL).dump(module)
        os.replace(tmp, d / (_key(display, text) + ".pickle"))
    except Exception:  # noqa: BLE001 - caching is best effort
        pass


class _Pickler(pickle.Pickler):
    """Models as (class, field dict, fields-set): pydantic's own pickling
    makes a new state dict per object, which the pickler's memo keeps until
    the end (and the unpickler's too), some 600 MB more at either end for the
    three million objects of a 4.6 MB spec. Loading rebuilds each object
    around its unpickled dict, as transform._mk builds it, and the objects
    that shared a fields-set share it again."""

    def reducer_override(self, obj):
        from pydantic import BaseModel
        if isinstance(obj, BaseModel) and not obj.__pydantic_extra__ and not obj.__pydantic_private__:
            return _model, (type(obj), obj.__dict__, obj.__pydantic_fields_set__)
        return NotImplemented


def _model(cls, fields: dict, fields_set: set):
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", fields)
    object.__setattr__(obj, "__pydantic_fields_set__", fields_set)
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj
