"""Output folders a build creates are written in a staging folder and moved
into place when the build ends.

A folder that did not exist when the build started (`vcp/` on a first build)
is written under `.corpusc/stage-<pid>-<run>/` with plain writes, and
renamed into the output directory in one step at the end: nobody sees it
half-filled, and each file costs a create and a write instead of the
unnamed-file-and-link of `atomic.write_output` (about 10 µs against 17 on
tmpfs, and more on a disk). Folders that already exist (a rebuild, a later
shard) get atomic per-file writes as before.

If the build stops early (an error, Ctrl-C, a worker killed), only the
files of calls the index recorded in this run are moved into place, so a
file caught mid-write is never published and finished work is not lost. A
stage left by a killed build is removed by the next one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterable

from corpusc.compiler.atomic import write_output

STAGES = ".corpusc"


def stage_dir(out: Path, run: str) -> Path:
    return out / STAGES / f"stage-{os.getpid()}-{run}"


class Writer:
    """A build worker's file writer: staged for folders that did not exist
    when the build started (`present` is the output directory's listing
    then), atomic for the rest."""

    def __init__(self, root: str, stage: str, present: Iterable[str]):
        self.root, self.stage, self.present = root, stage, frozenset(present)
        self.staged: dict[str, bool] = {}  # top-level name -> staged

    def write(self, rel: str, data: bytes) -> None:
        top = rel.partition("/")[0]
        staged = self.staged.get(top)
        if staged is None:
            staged = self.staged[top] = top not in self.present
        if not staged:
            write_output(f"{self.root}/{rel}", data)
            return
        path = f"{self.stage}/{rel}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except FileNotFoundError:
            os.makedirs(path.rpartition("/")[0], exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)


def publish(out: Path, stage: Path) -> None:
    """Move a finished build's staged folders into place: one rename each,
    or file by file where the folder appeared meanwhile (a shard building
    into the same directory)."""
    if not stage.is_dir():
        return
    for entry in sorted(os.listdir(stage)):
        src, dst = stage / entry, out / entry
        try:
            os.rename(src, dst)
        except OSError:
            if src.is_dir():
                _merge(src, dst)
            else:
                os.replace(src, dst)
    shutil.rmtree(stage, ignore_errors=True)


def salvage(out: Path, stage: Path, recorded: Iterable[str]) -> None:
    """After a build that stopped early: move into place the staged files of
    the calls the index recorded, drop the rest."""
    if not stage.is_dir():
        return
    made: set[str] = set()
    for rel in recorded:
        src = stage / rel
        if src.is_file():
            folder = os.path.dirname(out / rel)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            os.replace(src, out / rel)
    shutil.rmtree(stage, ignore_errors=True)


def _merge(src: Path, dst: Path) -> None:
    for folder, _, names in os.walk(src):
        target = dst / os.path.relpath(folder, src)
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.replace(os.path.join(folder, name), target / name)


def remove_abandoned(out: Path) -> None:
    """Stages of builds that were killed (their process is gone)."""
    base = out / STAGES
    if not base.is_dir():
        return
    for entry in os.listdir(base):
        if not entry.startswith("stage-"):
            continue
        try:
            pid = int(entry.split("-")[1])
            os.kill(pid, 0)
            if pid != os.getpid():
                continue  # a build running now (a shard into the same directory)
        except (ValueError, IndexError, ProcessLookupError):
            pass
        except PermissionError:
            continue  # alive, someone else's
        shutil.rmtree(base / entry, ignore_errors=True)
