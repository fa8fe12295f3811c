"""Output folders a build creates are written in a staging folder and moved
into place when the build ends.

A folder that did not exist when the build started (`vcp/` on a first build)
is written under `.corpusc/stage-<pid>-<run>/` with plain writes, and
renamed into the output directory in one step at the end: nobody sees it
half-filled, and each file costs a create and a write instead of the
unnamed-file-and-link of `atomic.write_output` (about 10 µs against 17 on
tmpfs). Folders that already exist (a rebuild, a later shard) get atomic
per-file writes as before.

The build holds a lock on its stage while it runs. If it stops early with
an exception (an error, Ctrl-C, SIGTERM), the files of the calls the index
recorded in this run are moved into place and the rest dropped. If it is
killed outright, the next build into the directory finds the stage
unlocked and moves in every staged file whose sha256 is the one the index
recorded (a file caught mid-write never matches), so finished work is not
lost and a half-written file is never published. A stage whose lock is
held belongs to a build running now (a shard into the same directory, even
from another container) and is left alone.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from pathlib import Path
from typing import Iterable

from corpusc.plan.atomic import write_all, write_output

STAGES = ".corpusc"
LOCK = ".lock"


class Stage:
    """This build's stage, locked from creation until it is published or
    salvaged (main process)."""

    def __init__(self, out: Path, run: str):
        self.out = out
        self.dir = out / STAGES / f"stage-{os.getpid()}-{run}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.lock = open(self.dir / LOCK, "w")
        fcntl.flock(self.lock, fcntl.LOCK_EX)

    def publish(self) -> None:
        """Move the staged folders into place: one rename each, or file by
        file where the folder appeared meanwhile (a shard building into the
        same directory)."""
        for entry in sorted(os.listdir(self.dir)):
            if entry == LOCK or entry.startswith(JOURNAL):
                continue
            src, dst = self.dir / entry, self.out / entry
            try:
                os.rename(src, dst)
            except OSError:
                if src.is_dir():
                    _merge(src, dst)
                else:
                    os.replace(src, dst)
        self._close()

    def salvage(self, recorded: Iterable[str]) -> None:
        """After a build that stopped early: move into place the staged
        files of the calls the index recorded, drop the rest."""
        _move(self.dir, self.out, recorded)
        self._close()

    def _close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        self.lock.close()


class Writer:
    """A build worker's file writer: staged for folders that did not exist
    when the build started (`present` is the output directory's listing
    then), atomic for the rest."""

    def __init__(self, root: str, stage: str, present: Iterable[str]):
        self.root, self.stage, self.present = root, stage, frozenset(present)
        self.staged: dict[str, bool] = {}  # top-level name -> staged

    def write(self, rel: str, data: bytes) -> list[int]:
        """Write one file; returns its [size, mtime in ns] as written."""
        top = rel.partition("/")[0]
        staged = self.staged.get(top)
        if staged is None:
            staged = self.staged[top] = top not in self.present
        if not staged:
            write_output(f"{self.root}/{rel}", data)
            st = os.stat(f"{self.root}/{rel}")
            return [st.st_size, st.st_mtime_ns]
        path = f"{self.stage}/{rel}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except FileNotFoundError:
            os.makedirs(path.rpartition("/")[0], exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_all(fd, data)
            st = os.fstat(fd)  # a rename into place keeps size and mtime
        finally:
            os.close(fd)
        return [st.st_size, st.st_mtime_ns]


class Journal:
    """A worker's record of the calls it rendered, one JSON line each, in
    the stage: if the whole build is killed before the main process records
    them, the next build's `recover` still keeps every call whose files are
    whole. Opened on first use (a worker that renders nothing leaves none)."""

    def __init__(self, stage: str):
        self.stage = stage
        self.fd: int | None = None

    def add(self, row) -> None:
        import orjson
        if self.fd is None:
            os.makedirs(self.stage, exist_ok=True)
            self.fd = os.open(f"{self.stage}/{JOURNAL}{os.getpid()}", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        write_all(self.fd, orjson.dumps(row) + b"\n")


JOURNAL = ".journal-"


def _journaled(stage: Path, out: Path, index) -> list[str]:
    """Record in the index the journaled calls of a dead build whose files are
    all whole (staged or already in place); returns their staged files."""
    import json
    staged: list[str] = []
    for j in sorted(stage.glob(JOURNAL + "*")):
        for line in j.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                cid, idx, h, files, _n, stat, turns = json.loads(line)
                recorded = json.loads(files)
            except ValueError:
                continue  # the last line, cut by the kill
            here = []
            for rel, sha in recorded.items():
                if (stage / rel).is_file():
                    if _sha256(stage / rel) != sha:
                        break
                    here.append(rel)
                elif not (out / rel).is_file() or _sha256(out / rel) != sha:
                    break
            else:
                index.put(cid, idx, h, files, "recovered", stat)
                if turns is not None:
                    index.put_sample(cid, turns)
                staged += here
    index.flush()
    return staged


def recover(out: Path, index) -> bool:
    """Stages of builds that were killed (unlocked): each staged file whose
    sha256 is the one the index recorded for it is moved into place, the
    rest dropped, the stage removed. Locked stages are builds running now:
    returns whether there is one."""
    base = out / STAGES
    live = False
    if not base.is_dir():
        return live
    recorded: dict[str, str] | None = None
    for entry in sorted(os.listdir(base)):
        stage = base / entry
        if not entry.startswith("stage-") or not stage.is_dir():
            continue
        try:
            lock = open(stage / LOCK, "a")
        except OSError:
            lock = None  # killed before it took its lock: nothing of it was recorded
        try:
            if lock is not None:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    live = True
                    continue  # a build running now
            journaled = _journaled(stage, out, index)
            if recorded is None:
                recorded = {rel: sha for files in index.file_lists() for rel, sha in files.items()}
            taken = set(journaled)
            whole = [rel for rel in _files(stage) if rel not in taken and rel in recorded
                     and _sha256(stage / rel) == recorded[rel]]
            _move(stage, out, journaled + whole)
            shutil.rmtree(stage, ignore_errors=True)
        finally:
            if lock is not None:
                lock.close()
    return live


def _files(stage: Path) -> Iterable[str]:
    for folder, _, names in os.walk(stage):
        rel = os.path.relpath(folder, stage)
        for name in names:
            if rel != "." or (name != LOCK and not name.startswith(JOURNAL)):
                yield name if rel == "." else f"{rel}/{name}"


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _move(stage: Path, out: Path, rels: Iterable[str]) -> None:
    made: set[str] = set()
    for rel in rels:
        src = stage / rel
        if src.is_file():
            folder = os.path.dirname(out / rel)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            os.replace(src, out / rel)


def _merge(src: Path, dst: Path) -> None:
    for folder, _, names in os.walk(src):
        target = dst / os.path.relpath(folder, src)
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.replace(os.path.join(folder, name), target / name)
