"""A cache of parsed modules, so the stdlib (and unchanged specs) are not
re-parsed on every `corpusc check`: keyed by corpusc version, file name and
the sha256 of the text, stored as pickles in the user's cache directory.
Set CORPUSC_NO_CACHE=1 to bypass it. A broken or unwritable cache is ignored.

Every edited spec (every generated benchmark spec, every seed) leaves a new
pickle, some of them tens of MB, so the folder is pruned (`prune`, at most
once every `PRUNE_EVERY`, from a process that writes one): a pickle nobody
read or wrote for `KEEP_UNUSED` goes, and above `MAX_BYTES` the least
recently used go first, but never one used within `GRACE`, nor a `.tmp`
still being written. A read refreshes the file's time, so an entry in use is
never removed; one removed all the same is a miss (the module is parsed and
written again; an open file stays readable once removed)."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
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
        for p in (GRAMMAR, here / "parse.py", here / "nodes.py", here / "transform.py", Path(__file__),
                  Path(model.__file__)):
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
    path = d / (_key(display, text) + ".pickle")
    try:
        with open(path, "rb") as f:
            cls, fields, chunks = pickle.load(f)
            items = []
            for _ in range(chunks):
                items += pickle.load(f)
            got = cls(items=items, **fields)
    except Exception:  # noqa: BLE001 - a cache miss, whatever the reason
        return None
    try:
        os.utime(path)  # used now: `prune` keeps it
    except OSError:
        pass
    return got


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
    prune()


PRUNE_EVERY = 3600.0  # seconds between two prunings (the age of the folder's `.pruned` marker)
KEEP_UNUSED = 7 * 86400.0  # a pickle no process read or wrote for this long is removed
MAX_BYTES = 256 << 20  # above this the least recently used pickles go first...
GRACE = 6 * 3600.0  # ...never one read or written this recently (nor a `.tmp` file younger than this)


def prune(now: float | None = None, force: bool = False) -> int:
    """Remove the stale pickles of this version's folder (see the module's
    docstring; its `templates/` folder is the template renderer's, pruned by
    it); at most once every `PRUNE_EVERY` seconds over all processes unless
    `force`. Returns how many files went. Best effort: an error leaves the rest."""
    d = _dir()
    if d is None:
        return 0
    return prune_folder(d, time.time() if now is None else now, force, PRUNE_EVERY, KEEP_UNUSED, MAX_BYTES, GRACE)


def prune_folder(d: Path, now: float, force: bool, every: float, keep_unused: float, max_bytes: int,
                 grace: float) -> int:
    """One cache folder's pruning (this module's and the template renderer's
    `templates/`): a `.pickle` unused for `keep_unused` goes, then above
    `max_bytes` the least recently used, never one used within `grace` (nor a
    `.tmp` younger); at most once every `every` seconds (the age of the
    folder's `.pruned` marker) unless `force`."""
    marker = d / ".pruned"
    try:
        if not force and now - marker.stat().st_mtime < every:
            return 0
    except FileNotFoundError:
        pass
    except OSError:
        return 0
    entries = []
    try:
        d.mkdir(parents=True, exist_ok=True)
        marker.touch()  # this round is claimed: another process looking now leaves it
        os.utime(marker, (now, now))
        with os.scandir(d) as it:
            for e in it:
                tmp = e.name.endswith(".tmp")
                if not (tmp or e.name.endswith(".pickle")) or not e.is_file(follow_symlinks=False):
                    continue
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                entries.append((st.st_mtime, st.st_size, e.path, tmp))
    except OSError:
        return 0
    removed = total = 0
    kept: list[tuple[float, int, str]] = []
    for mtime, size, path, tmp in entries:
        age = now - mtime
        if age > keep_unused or (tmp and age > grace):
            removed += _unlink(path)
        elif not tmp:
            kept.append((mtime, size, path))
            total += size
    for mtime, size, path in sorted(kept):  # least recently used first
        if total <= max_bytes or now - mtime < grace:
            break
        if _unlink(path):
            removed += 1
            total -= size
    return removed


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0
