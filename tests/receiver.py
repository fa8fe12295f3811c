"""A local HTTP receiver for delivery tests and benchmarks (127.0.0.1 only):
records every request (arrival time, Idempotency-Key, headers, body) and
answers as a `behave(key, n)` function decides for the n-th request (from 1)
carrying that key: a status, a delay, a Retry-After, or a dropped connection.
It counts a key `confirmed` when it answers it with a 2xx."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass(frozen=True)
class Act:
    status: int = 200
    delay: float = 0.0  # seconds before answering
    retry_after: str | None = None
    drop: bool = False  # close the connection without an answer
    body: bytes = b"ok"
    echo: bool = False  # answer with the request line and headers (redaction tests)


@dataclass
class Seen:
    at: float
    key: str
    headers: dict[str, str]
    body: bytes
    path: str
    act: Act


def always_ok(key: str, n: int) -> Act:
    return Act()


@dataclass
class Receiver:
    behave: Callable[[str, int], Act] = always_ok
    keep_bodies: bool = True
    requests: list[Seen] = field(default_factory=list)
    confirmed: Counter = field(default_factory=Counter)
    tries: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        rec = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

            def log_message(self, *a) -> None:
                pass

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                key = self.headers.get("Idempotency-Key", "")
                with rec.lock:
                    rec.tries[key] += 1
                    n = rec.tries[key]
                    seen = Seen(time.monotonic(), key, dict(self.headers.items()),
                                body if rec.keep_bodies else b"", self.path, Act())
                    rec.requests.append(seen)
                act = seen.act = rec.behave(key, n)  # outside the lock: behave may sleep
                if act.delay:
                    time.sleep(act.delay)
                if act.drop:
                    self.close_connection = True
                    return
                if 200 <= act.status < 300:
                    with rec.lock:
                        rec.confirmed[key] += 1
                out = act.body
                if act.echo:
                    out = (f"{self.command} {self.path}\n" + "".join(f"{k}: {v}\n" for k, v in self.headers.items())
                           ).encode()
                try:
                    self.send_response(act.status)
                    if act.retry_after is not None:
                        self.send_header("Retry-After", act.retry_after)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:
                    self.close_connection = True

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def times(self) -> list[float]:
        with self.lock:
            return [r.at for r in self.requests]

    def keys(self) -> set[str]:
        with self.lock:
            return {r.key for r in self.requests}
