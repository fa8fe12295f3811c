"""The delivery journal: `DIR/.corpusc/delivery.sqlite`, one row per payload
and destination, written only after the outcome is known. A row is
`delivered` only once its 2xx has arrived, and every commit is durable (WAL,
synchronous=FULL) before the next batch, so a SIGKILL at any moment loses at
most the confirmations still in the writer's queue: those payloads are sent
again on the rerun (the receiver can drop them by their Idempotency-Key); a
committed one never is.

Writes go through one thread that commits whatever has queued up in a single
transaction (group commit): one fsync per batch instead of per payload keeps a
2,000 requests/s run from waiting on the disk. Nothing secret is stored: the
destination is a hash, its URL is stored redacted, reasons are redacted by the
caller.
"""

from __future__ import annotations

import fcntl
import hashlib
import queue
import sqlite3
import threading
import time
from pathlib import Path

from corpusc.deliver.errors import DeliveryError

PATH = ".corpusc/delivery.sqlite"
LOCK = ".corpusc/delivery.lock"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS destinations (dest TEXT PRIMARY KEY, kind TEXT, url TEXT);
CREATE TABLE IF NOT EXISTS deliveries (
  dest TEXT, key TEXT, call_id TEXT, status TEXT, attempts INTEGER, http_status INTEGER,
  reason TEXT, latency_ms REAL, at TEXT, PRIMARY KEY (dest, key));
"""


def destination_id(kind: str, *parts: str) -> str:
    """Identifies where payloads go (kind, full URL, SA ids) without storing
    the URL's secrets: a different URL or pipeline is a fresh destination."""
    return hashlib.sha256("\n".join((kind,) + parts).encode()).hexdigest()[:24]


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db


class Journal:
    def __init__(self, out: Path, dest: str, kind: str, url_display: str) -> None:
        path = out / PATH
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._lockf = open(out / LOCK, "w")
        except OSError as e:
            raise DeliveryError("E0810", f"cannot create the delivery journal in `{path.parent}`: {e.strerror}",
                                str(path.parent), help="check that the corpus directory is writable")
        try:
            fcntl.flock(self._lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lockf.close()
            raise DeliveryError("E0810", f"another `corpusc deliver` is running on `{out}`", str(out),
                                help="wait for it to finish; two runs on one directory could send a payload twice")
        try:
            self.db = _connect(path)
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR REPLACE INTO destinations VALUES (?, ?, ?)", (dest, kind, url_display))
        except sqlite3.Error as e:
            self._lockf.close()
            raise DeliveryError("E0810", f"cannot open the delivery journal `{path}`: {e}", str(path),
                                help="delete the file to start over (every payload is then sent again)")
        self.path, self.dest = path, dest
        self._q: queue.Queue = queue.Queue()
        self._writer: threading.Thread | None = None
        self._error: BaseException | None = None

    # --- reading (before the run) -------------------------------------------------
    def statuses(self) -> dict[str, str]:
        """key -> `delivered` | `failed` for this destination."""
        return dict(self.db.execute("SELECT key, status FROM deliveries WHERE dest=?", (self.dest,)))

    def forget(self) -> None:
        """--restart: drop this destination's record, so everything is sent again."""
        self.db.execute("DELETE FROM deliveries WHERE dest=?", (self.dest,))

    # --- writing (during the run) ------------------------------------------------
    def start(self) -> None:
        self._writer = threading.Thread(target=self._write_loop, name="corpusc-journal", daemon=True)
        self._writer.start()

    def record(self, key: str, call_id: str, status: str, attempts: int, http_status: int | None,
               reason: str, latency_ms: float | None) -> None:
        if self._error is not None:
            raise self._error
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._q.put((self.dest, key, call_id, status, attempts, http_status, reason, latency_ms, at))

    def _write_loop(self) -> None:
        db = _connect(self.path)
        try:
            done = False
            while not done:
                batch = [self._q.get()]
                while True:
                    try:
                        batch.append(self._q.get_nowait())
                    except queue.Empty:
                        break
                if batch[-1] is None:
                    batch.pop()
                    done = True
                if batch:
                    # a delivered row is never downgraded to failed
                    db.execute("BEGIN IMMEDIATE")
                    db.executemany(
                        "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dest, key) DO UPDATE "
                        "SET status=excluded.status, attempts=deliveries.attempts + excluded.attempts, "
                        "http_status=excluded.http_status, reason=excluded.reason, latency_ms=excluded.latency_ms, "
                        "at=excluded.at WHERE deliveries.status != 'delivered'", batch)
                    db.execute("COMMIT")
        except BaseException as e:  # noqa: BLE001 - surfaced to the sender by record()/close()
            self._error = e
        finally:
            db.close()

    def close(self) -> None:
        if self._writer is not None:
            self._q.put(None)
            self._writer.join()
            self._writer = None
        self.db.close()
        self._lockf.close()
        if self._error is not None:
            raise DeliveryError("E0810", f"the delivery journal could not be written: {self._error}",
                                str(self.path), help="check free disk space; rerun the same command to resume")


def read_statuses(out: Path, dest: str) -> dict[str, str]:
    """The journal's view for --dry-run: read-only, no lock, nothing created."""
    path = out / PATH
    if not path.exists():
        return {}
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return dict(db.execute("SELECT key, status FROM deliveries WHERE dest=?", (dest,)))
        finally:
            db.close()
    except sqlite3.Error:
        return {}
