"""Atomic file writes: a reader (or a crash) never sees half a file."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside `path`, fsync it and rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8",
                       newline=None if "b" in mode else "\n") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_open(path, "w") as f:
        f.write(text)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_open(path, "wb") as f:
        f.write(data)


_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_plain_folders: set[str] = set()  # where O_TMPFILE or /proc links are not available
_root: list[int] = []


def write_output(path: str | os.PathLike, data: bytes) -> None:
    """Atomic write of one rendered file, tuned for thousands of them. On
    Linux the bytes go to an unnamed file in the target folder (O_TMPFILE)
    that is linked in under its name once complete: one directory operation
    instead of two, and a killed build leaves nothing behind. Elsewhere, or
    when the file already exists, a per-process temporary name is renamed over
    it. No fsync: the manifest's sha256 catches what a crash loses, and a
    rerun rewrites it. String paths, not pathlib: this runs per file."""
    path = os.fspath(path)
    folder, _, name = path.rpartition("/")
    if _O_TMPFILE and folder not in _plain_folders:
        try:
            fd = os.open(folder, os.O_WRONLY | _O_TMPFILE, 0o644)
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
            return write_output(path, data)
        except OSError:  # the filesystem does not do O_TMPFILE
            _plain_folders.add(folder)
            return write_output(path, data)
        try:
            write_all(fd, data)
            if not _root:
                _root.append(os.open("/", os.O_RDONLY))
            proc = f"/proc/self/fd/{fd}"
            try:  # src_dir_fd makes this linkat(..., AT_SYMLINK_FOLLOW): the open file, not the link
                os.link(proc, path, src_dir_fd=_root[0], follow_symlinks=True)
                return
            except FileExistsError:  # a rebuild: link under a temporary name, rename over the old file
                tmp = f"{folder}/.{name}.{os.getpid()}.tmp"
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass
                os.link(proc, tmp, src_dir_fd=_root[0], follow_symlinks=True)
                os.replace(tmp, path)
                return
            except OSError:  # no /proc
                _plain_folders.add(folder)
        finally:
            os.close(fd)
        return write_output(path, data)
    tmp = f"{folder}/.{name}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
