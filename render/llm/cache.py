"""The content-addressed cache of model answers, and the journal of requests
made. A request's key is the sha256 of its whole body (model, messages,
parameters, schema): the messages are rendered from the call's plan item and
the prompt templates, so the key covers them, and a repair request, which
carries the earlier answer, is keyed by that answer too. An answer is stored
(atomically) the moment it arrives, so a build killed midway resumes without
asking twice, and the same cache replays the same answers: byte-identical
outputs, 0 requests. The API key is never part of a body, a key or an entry."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from corpusc.plan.atomic import write_output

VERSION = 1
JOURNAL = "journal.jsonl"
CALLS = "llm_calls.jsonl"  # OUT/.corpusc/: what each call's words took (cost.manifest_section)


def key(body: dict[str, Any]) -> str:
    import orjson
    return hashlib.sha256(orjson.dumps({"v": VERSION, **body}, option=orjson.OPT_SORT_KEYS)).hexdigest()


class Cache:
    """Answers under `folder/answers/ab/<key>.json`; `folder` None keeps them in memory only."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.memory: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._made = False

    def _path(self, k: str) -> Path | None:
        return self.folder / "answers" / k[:2] / f"{k}.json" if self.folder else None

    def get(self, k: str) -> dict | None:
        hit = self.memory.get(k)
        if hit is not None:
            return hit
        p = self._path(k)
        if p is not None and p.is_file():
            try:
                return json.loads(p.read_text(encoding="utf-8"))
            except ValueError:  # a torn file from a crash predating atomic writes: ask again
                return None
        return None

    def put(self, k: str, answer: dict) -> None:
        p = self._path(k)
        if p is None:
            self.memory[k] = answer
            return
        write_output(p, (json.dumps(answer, sort_keys=True, ensure_ascii=False) + "\n").encode())

    def journal(self, entry: dict) -> None:
        """One line per request made (appended whole: a killed build leaves complete lines)."""
        if self.folder is None:
            return
        line = (json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n").encode()
        with self._lock:
            if not self._made:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._made = True
            fd = os.open(self.folder / JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)


def read_journal(folder: Path) -> list[dict]:
    p = folder / JOURNAL
    if not p.is_file():
        return []
    return [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]


def record_call(out: Path, entry: dict) -> None:
    """Append one rendered call's record to OUT/.corpusc/llm_calls.jsonl
    (whole lines: worker processes share the file)."""
    p = Path(out) / ".corpusc" / CALLS
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(entry, sort_keys=True) + "\n").encode())
    finally:
        os.close(fd)
