"""The build's record of what it wrote.

`.corpusc/index.sqlite` in the output directory is the working index: one row
per call (content hash, files with their sha256), so a build of any size keeps
constant memory and a rerun decides per call whether to render it. At the end
of a build, `manifest.json` is streamed from the index (or, on a first build,
from the calls it wrote on the way: `CallsPart`): every file with its sha256
and call, plus the spec hash, corpusc version and seed. It is
deterministic (no timings), so shards writing into one directory (SQLite
serializes them) produce the same manifest as one unsharded build.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import orjson

from corpusc.plan.atomic import atomic_open

MANIFEST = "manifest.json"
INDEX = ".corpusc/index.sqlite"
STAGES = ".corpusc"  # the build's own folder: index, stages


def read(out: Path) -> dict[str, Any]:
    """manifest.json as a dict (for verify); an empty one if absent or broken."""
    try:
        doc = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        if isinstance(doc, dict) and isinstance(doc.get("calls"), dict):
            return doc
    except (OSError, ValueError):
        pass
    return {"calls": {}}


class Index:
    """The per-call index of one output directory."""

    def __init__(self, out: Path):
        path = out / INDEX
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS calls (id TEXT PRIMARY KEY, idx INTEGER, hash TEXT, "
                        "files TEXT, run TEXT)")
        # plan order with its tie-break, so manifest.json streams without a sort;
        # (idx) alone, as earlier builds made it, goes (an earlier corpusc
        # sharing the directory makes it again: only time is lost)
        self.db.execute("DROP INDEX IF EXISTS calls_by_idx")
        self.db.execute("CREATE INDEX IF NOT EXISTS calls_by_position ON calls (idx, id)")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        # each file's [size, mtime in ns] as written: a rebuild trusts a file
        # whose size and time are unchanged, and hashes the others
        if "stat" not in {r[1] for r in self.db.execute("PRAGMA table_info(calls)")}:
            self.db.execute("ALTER TABLE calls ADD COLUMN stat TEXT")
        # the quality sample's turns, (side, text) per call, kept for the
        # builds that skip those calls
        self.db.execute("CREATE TABLE IF NOT EXISTS sample (id TEXT PRIMARY KEY, turns TEXT)")
        self.puts: list[tuple] = []
        self.touches: list[tuple] = []
        self.restats: list[tuple] = []
        self.samples: list[tuple] = []

    def close(self) -> None:
        self.flush()
        self.db.close()

    def get_meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value, sort_keys=True)))

    def lookup(self, call_id: str) -> tuple[str, dict[str, str]] | None:
        row = self.db.execute("SELECT hash, files FROM calls WHERE id=?", (call_id,)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def by_position(self, lo: int, hi: int) -> dict[int, tuple[str, str, dict[str, str], Any, bool]]:
        """Calls recorded at plan positions lo..hi-1: {index: (id, hash,
        files {path: sha256}, stats {path: [size, mtime_ns]} or None, whether
        its quality-sample turns are kept)}."""
        self.flush()
        return {idx: (cid, h, json.loads(files), json.loads(stat) if stat else None, sampled)
                for idx, cid, h, files, stat, sampled in self.db.execute(
                    "SELECT idx, calls.id, hash, files, stat, sample.id IS NOT NULL FROM calls "
                    "LEFT JOIN sample ON sample.id = calls.id WHERE idx >= ? AND idx < ?", (lo, hi))}

    def restat(self, call_id: str, stat: str) -> None:
        """A call's files matched their sha256 with another size or time (copied, touched)."""
        self.restats.append((stat, call_id))

    def put_sample(self, call_id: str, turns: list | str) -> None:
        """A sampled call's turns, [(side, text)], or as JSON already."""
        self.samples.append((call_id, turns if type(turns) is str else orjson.dumps(turns).decode()))

    def sample(self, ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        self.flush()
        out = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for cid, turns in self.db.execute(
                    f"SELECT id, turns FROM sample WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                out[cid] = [tuple(t) for t in json.loads(turns)]
        return out

    def touch(self, call_id: str, run: str) -> None:
        self.touches.append((run, call_id))
        if len(self.touches) >= 2000:
            self.flush()

    def put(self, call_id: str, idx: int, h: str, files: str, run: str, stat: str | None = None) -> None:
        """Record a rendered call; `files` is its {path: sha256} as `files_json`
        writes it, `stat` their sizes and times as `stats_json` does. Kept in
        memory until `flush` (the build flushes after every work unit, so a
        killed build loses no finished unit)."""
        self.puts.append((call_id, idx, h, files, run, stat))
        if len(self.puts) >= 2000:
            self.flush()

    def flush(self) -> None:
        if not (self.puts or self.touches or self.restats or self.samples):
            return
        with self.tx():
            self.db.executemany("INSERT OR REPLACE INTO calls (id, idx, hash, files, run, stat) "
                                "VALUES (?, ?, ?, ?, ?, ?)", self.puts)
            self.db.executemany("UPDATE calls SET run=? WHERE id=?", self.touches)
            self.db.executemany("UPDATE calls SET stat=? WHERE id=?", self.restats)
            self.db.executemany("INSERT OR REPLACE INTO sample VALUES (?, ?)", self.samples)
        self.puts.clear()
        self.touches.clear()
        self.restats.clear()
        self.samples.clear()

    @contextmanager
    def tx(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def stale(self, run: str) -> Iterator[tuple[str, dict[str, str]]]:
        """Calls recorded by earlier builds that this (unsharded) build did not plan."""
        self.flush()
        for cid, files in self.db.execute("SELECT id, files FROM calls WHERE run IS NOT ? ORDER BY id", (run,)):
            yield cid, json.loads(files)

    def drop(self, ids: list[str]) -> None:
        with self.tx():
            self.db.executemany("DELETE FROM calls WHERE id=?", [(i,) for i in ids])
            self.db.executemany("DELETE FROM sample WHERE id=?", [(i,) for i in ids])

    def files_of_run(self, run: str) -> Iterator[str]:
        """The files of the calls this run recorded."""
        self.flush()
        for (files,) in self.db.execute("SELECT files FROM calls WHERE run=?", (run,)):
            yield from json.loads(files)

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]

    def file_lists(self) -> Iterator[dict[str, str]]:
        for (files,) in self.db.execute("SELECT files FROM calls"):
            yield json.loads(files)

    def file_stats(self) -> Iterator[tuple[str, dict[str, str], dict[str, list[int]] | None]]:
        """(id, files {path: sha256}, stats {path: [size, mtime_ns]} or None) of every call."""
        self.flush()
        for cid, files, stat in self.db.execute("SELECT id, files, stat FROM calls"):
            yield cid, json.loads(files), json.loads(stat) if stat else None

    ROWS = "SELECT id, idx, hash, files FROM calls ORDER BY idx, id"

    def rows(self) -> Iterator[tuple[str, int, str, str]]:
        """(id, index, hash, files as recorded: `files_json`), in plan order."""
        yield from self.db.execute(self.ROWS)


def stats_json(stats: dict[str, list[int]]) -> str:
    """A call's {path: [size, mtime_ns]} as the index stores it."""
    return orjson.dumps(stats).decode()  # json.dumps(..., ensure_ascii=False, separators=(",", ":")), 5x faster


def files_json(files: dict[str, str]) -> str:
    """A call's {path: sha256} as the index stores it and manifest.json shows
    it: sorted by path, non-ASCII kept as is."""
    items = sorted(files.items())
    if all(k.isprintable() and '"' not in k and "\\" not in k and v.isalnum() for k, v in items):
        return "{" + ", ".join(f'"{k}": "{v}"' for k, v in items) + "}"  # what json.dumps writes, faster
    return json.dumps(dict(items), ensure_ascii=False)


@contextmanager
def locked(out: Path) -> Iterator[None]:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".manifest.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _entry(cid: str, idx: int, h: str, cfiles: str) -> str:
    """A call's line in manifest.json, after its separator: the entry as
    json.dumps({"index", "hash", "files"}) writes it, without decoding the files."""
    if "\\u" in cfiles:  # recorded by an older corpusc, which escaped non-ASCII
        cfiles = files_json(json.loads(cfiles))
    return f'{_quoted(cid)}: {{"index": {idx}, "hash": "{h}", "files": {cfiles}}}'


class CallsPart:
    """manifest.json's `calls`, written while a first build records its calls
    instead of read back from the index at the end (where it cost about
    1.5 us a call, every other core idle): the rows of each work unit as
    they are merged in plan order, to an unnamed temporary file. Only for a
    build whose index started empty: then the index holds exactly these
    rows, in this order (tested against the index's own manifest)."""

    SEP = ",\n  "

    def __init__(self, out: Path):
        import tempfile
        self.f = tempfile.TemporaryFile("w+", encoding="utf-8", newline="", dir=out / ".corpusc")

    def add(self, rows) -> None:
        """(id, index, hash, files, ...) rows of one unit, in plan order."""
        self.f.write("".join([self.SEP + _entry(*row[:4]) for row in rows]))

    def entries(self) -> Iterator[str]:
        """The entries in plan order, each after its separator."""
        self.f.seek(0)
        yield from iter(lambda: self.f.read(1 << 20), "")

    def close(self) -> None:
        self.f.close()


def write_manifest(out: Path, index: Index, meta: dict[str, Any], files: dict[str, str],
                   calls: CallsPart | None = None) -> None:
    """Stream manifest.json from the index (constant memory in the number of
    calls), or with the `calls` a first build wrote on the way."""
    index.flush()
    with locked(out), atomic_open(out / MANIFEST) as f:
        f.write("{\n")
        for k, v in meta.items():
            f.write(f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n")
        f.write(f' "files": {json.dumps(dict(sorted(files.items())))},\n')
        f.write(' "calls": {')
        texts = calls.entries() if calls is not None else \
            (CallsPart.SEP + _entry(*row) for row in index.rows())
        empty = True
        for text in texts:  # the first entry without its comma
            f.write(text[1:] if empty else text)
            empty = False
        f.write("}\n}\n" if empty else "\n }\n}\n")


def _quoted(s: str) -> str:
    """json.dumps(s), without its cost for the ids calls have (ASCII, nothing to escape)."""
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return f'"{s}"'
    return json.dumps(s)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def remove_files(out: Path, rels) -> int:
    n = 0
    for rel in rels:
        try:
            os.unlink(out / rel)
            n += 1
        except FileNotFoundError:
            pass
    return n
