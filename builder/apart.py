"""Run one step of a command in a forked child and take its result back,
pickled through a pipe. The compiler of a large spec peaks at some 170 MB
(the syntax tree beside the program), in arenas Python keeps after the tree
is freed; compiled in a child, that memory goes back to the system when the
child ends, and the build's main process holds only the program."""

from __future__ import annotations

import os
import pickle
import sys
from typing import Any, Callable


def apart(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)`, run in a forked child when the system forks (else here,
    and here with CORPUSC_DEBUG set, for whole tracebacks). What it raises is
    raised here; `fn` must print nothing (the child's output is not flushed)."""
    if not hasattr(os, "fork") or os.environ.get("CORPUSC_DEBUG"):
        return fn(*args)
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(r)
            try:
                out: tuple[bool, Any] = (True, fn(*args))
            except BaseException as e:  # noqa: BLE001 - every outcome goes back to the parent
                out = (False, e)
            try:
                data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as e:  # noqa: BLE001 - an exception that does not pickle, as text
                data = pickle.dumps((False, RuntimeError(f"{type(out[1]).__name__}: {out[1]} ({e})")))
            with os.fdopen(w, "wb") as f:
                f.write(data)
        except BaseException:  # noqa: BLE001 - the parent reports the child's end
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    try:
        with os.fdopen(r, "rb") as f:
            data = f.read()
    finally:
        _, status = os.waitpid(pid, 0)
    if not data:
        raise RuntimeError(f"the compiling process ended without a result (status {status})")
    ok, value = loads(data)
    if not ok:
        raise value
    return value


def loads(data: bytes) -> Any:
    """pickle.loads with the cyclic collector paused: its passes over the
    objects being made tripled the time (1.5 s, not 0.5, for the program of
    a 10,000-call spec)."""
    import gc
    was = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if was:
            gc.enable()
