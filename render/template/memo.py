"""Template preparation kept between processes. A locale's banks are
compiled, and each template is prepared (signal markers, a service call's
paraphrases and pruning) the first time a process draws it: about a second of
a worker's CPU for the contact-center example, paid again by every worker of
every build. Both are pure functions of the banks and of this code, so they
are kept on disk, in the user's cache (as `corpusc.compiler.cache` keeps
parsed modules), under a digest of the locale's bank folder, the declarations
and the renderer's source: a changed bank or renderer reads nothing stale,
and a rendered call is byte-identical with or without the cache (set
CORPUSC_NO_CACHE=1 to bypass it). A broken or unwritable cache is ignored.

Prepared templates are found by their position in the bank (the order in
which `signals.Prepared` receives its jobs), so no template needs a key of
its own; what a process prepared anew is added to the file by `flush`, which
the build calls after each work unit.

Every change of the banks or of this code starts new files (some 4 MB), so
the folder is pruned (`prune`, at most once an hour, from a process's first
`flush`): a file nobody read or wrote for `KEEP_UNUSED` goes, and above
`MAX_BYTES` the least recently used go first, but never one used within
`GRACE`. Reading a file refreshes its time, so a live build's files (read
when its workers start, rewritten at each flush) are never among those
removed; should one go all the same, the build reads it as a miss and
writes it again (an open file stays readable once removed)."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from corpusc.compiler.cache import cache_dir, prune_folder

NONE, SAME = 0, 1  # prepared as nothing (the fallback answers) / as the template itself (no template is an int)
PRUNE_EVERY = 3600.0  # seconds between two prunings of the folder (the age of its `.pruned` marker)
KEEP_UNUSED = 7 * 86400.0  # a file no process read or wrote for this long is removed
MAX_BYTES = 256 << 20  # above this the least recently used files go first...
GRACE = 6 * 3600.0  # ...never one read or written this recently (nor a `.tmp` file still being written)


@lru_cache(maxsize=None)
def _code() -> bytes:
    """The renderer's source: the code that compiles and prepares templates."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for p in sorted([*here.glob("*.py"), *here.parent.glob("*.py")]):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.digest()


def _data(locale: str) -> bytes:
    """Every file of the locale's bank folder and the declarations beside it
    (read again when a file's size or time changed: a bank edited while a
    process runs, or another folder put in its place, is never read stale)."""
    from corpusc.render.template.lexicon import PHRASES
    files = [p for p in PHRASES.iterdir() if p.is_file()]
    files += [p for p in (PHRASES / locale).rglob("*") if p.is_file()]
    return _digest(str(PHRASES), tuple((p.relative_to(PHRASES).as_posix(), s.st_size, s.st_mtime_ns)
                                       for p in sorted(files) for s in (p.stat(),)))


@lru_cache(maxsize=64)
def _digest(root: str, stamp: tuple) -> bytes:
    return bytes.fromhex(files_digest([Path(root) / rel for rel, _, _ in stamp], Path(root)))



def files_digest(files: list[Path], root: Path) -> str:
    """sha256 over the relative paths and bytes of `files`, in order (the
    renderer's fingerprint and the template cache key read banks through it)."""
    h = hashlib.sha256()
    for p in files:
        if not p.is_file():
            continue
        rel = p.relative_to(root).as_posix().encode()
        data = p.read_bytes()
        h.update(len(rel).to_bytes(8, "big") + rel + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


# locale -> the digest of the banks this process compiled (None: they changed while it read them): the
# templates a process prepares come from the banks it loaded, so they are kept under that digest, never
# under one of files edited since (a later process would read preparations of other templates)
_PINNED: dict[str, bytes | None] = {}


def _path(what: str, locale: str, variant: tuple, data: bytes | None = None) -> Path | None:
    """The file of `what`, under `data` (the digest of the banks), else under
    the banks this process loaded (`_PINNED`), or, for the banks themselves
    and before any was loaded, the banks as on disk now."""
    d = cache_dir()
    if d is None:
        return None
    if data is None:
        if what == "bank" or locale not in _PINNED:
            data = _data(locale)
        elif (data := _PINNED[locale]) is None:
            return None
    h = hashlib.sha256(_code() + data + repr((what, locale, variant)).encode())
    return d / "templates" / (h.hexdigest() + ".pickle")


def _read(path: Path) -> Any:
    import gc
    was = gc.isenabled()
    gc.disable()  # its passes over the objects being made cost more than the reading
    try:
        with open(path, "rb") as f:
            got = pickle.load(f)
        try:
            os.utime(path)  # used now: `prune` keeps it
        except OSError:
            pass
        return got
    except Exception:  # noqa: BLE001 - a miss, whatever the reason
        return None
    finally:
        if was:
            gc.enable()


def _write(path: Path, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # noqa: BLE001 - caching is best effort
        pass


def kept(what: str, locale: str, make: Callable[[], Any], variant: tuple = ()) -> Any:
    """`make()`, or what it returned in an earlier process for the same
    banks and code (`what` names the value, one per locale and `variant`).
    The banks (`what` "bank") are read anew each time and pin the digest the
    locale's later preparations are kept under; banks that change while
    `make` reads them are not kept, nor is anything prepared from them."""
    if cache_dir() is None:
        return make()
    bank = what == "bank"
    data = _data(locale) if bank else None  # the digest the banks' file is kept under, and then pinned
    path = _path(what, locale, variant, data)
    if path is None:
        return make()
    got = _read(path) if path.is_file() else None
    if got is None:
        got = make()
        if _path(what, locale, variant) != path:  # edited while read
            if bank:
                _PINNED[locale] = None  # neither it nor anything prepared from it is kept
            return got
        _write(path, got)
    if bank:
        _PINNED[locale] = data
    return got


class Memo:
    """The prepared templates of one `signals.Prepared`: its jobs' positions
    -> what `make` gave (NONE, SAME or the prepared template)."""

    def __init__(self, path: Path):
        self.path = path
        self.data: dict[int, Any] = (_read(path) if path.is_file() else None) or {}
        self.new = 0

    def make(self, i: int, job: tuple, make: Callable[[tuple], Any]) -> Any:
        """`make(job)` (None, or (template, prepared)), of the job at position `i`."""
        v = self.data.get(i)
        if v is None:
            got = make(job)
            self.data[i] = NONE if got is None else SAME if got[1] is got[0] else got[1]
            self.new += 1
            return got
        if v == NONE and isinstance(v, int):
            return None
        return job[0], job[0] if isinstance(v, int) else v

    def save(self) -> None:
        """What this process prepared anew, added to the file (another
        process may have added its own since it was read: the values agree)."""
        if not self.new:
            return
        on_disk = (_read(self.path) if self.path.is_file() else None) or {}
        on_disk.update(self.data)
        self.data = on_disk
        _write(self.path, on_disk)
        self.new = 0


_OPEN: list[Memo] = []


def memo(what: str, locale: str, *variant: Any) -> Memo | None:
    """The memo of a `Prepared` for `what` (its kind) of `locale` and
    `variant`; None when the cache is off."""
    path = _path(what, locale, variant)
    if path is None:
        return None
    m = Memo(path)
    _OPEN.append(m)
    return m


def flush() -> None:
    """Every memo's new preparations onto disk (and, once a process, the folder pruned)."""
    global _PRUNED
    for m in _OPEN:
        m.save()
    if not _PRUNED:
        _PRUNED = True
        prune()


_PRUNED = False


def prune(now: float | None = None, force: bool = False) -> int:
    """Remove the folder's stale files (see the module's docstring); at most
    once every `PRUNE_EVERY` seconds over all processes unless `force`.
    Returns how many files went. Best effort: an error leaves the rest."""
    d = cache_dir()
    if d is None:
        return 0
    return prune_folder(d / "templates", time.time() if now is None else now, force, PRUNE_EVERY, KEEP_UNUSED,
                        MAX_BYTES, GRACE)
