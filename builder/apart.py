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


# `build` compiles apart a spec of at least this many bytes: a smaller one's
# compiler peak is a few tens of MB, and a child costs a small build some 8%
# of its time (the modules and pydantic schemas it loads are loaded twice).
APART_ABOVE = 256 * 1024


def apart(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)`, run in a forked child when the system forks (else here,
    and here with CORPUSC_DEBUG set, for whole tracebacks). What it raises is
    raised here; what `fn` prints is flushed when it returns."""
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
            with os.fdopen(w, "wb") as f:
                if out[0]:  # streamed: the whole pickle at once would be one more copy of the result
                    pickle.dump(out, f, protocol=pickle.HIGHEST_PROTOCOL)
                else:
                    try:
                        data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
                    except Exception as e:  # noqa: BLE001 - an exception that does not pickle, as text
                        data = pickle.dumps((False, RuntimeError(f"{type(out[1]).__name__}: {out[1]} ({e})")))
                    f.write(data)
        except BaseException:  # noqa: BLE001 - the parent reports the child's end
            code = 1
        finally:
            try:  # what it printed (the parent flushed before the fork: nothing is written twice)
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    os.close(w)
    got = None
    try:
        with os.fdopen(r, "rb") as f:
            try:
                got = load(f)  # as it comes: the whole pickle read first would be one more copy
            except (EOFError, pickle.UnpicklingError):
                pass
    finally:
        _, status = os.waitpid(pid, 0)
    if got is None:
        raise RuntimeError(f"the compiling process ended without a result (status {status})")
    ok, value = got
    if not ok:
        raise value
    return value


def loads(data: bytes) -> Any:
    """pickle.loads with the cyclic collector paused: its passes over the
    objects being made tripled the time (1.5 s, not 0.5, for the program of
    a 10,000-call spec)."""
    import io
    return load(io.BytesIO(data))


def load(f) -> Any:
    """`loads` from a file."""
    import gc
    was = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(f)
    finally:
        if was:
            gc.enable()


# Accounts per pickle of a program (`dump_program`): a pickle's memo (the
# pickler's and the unpickler's) holds every object in it until its end,
# as much again as the objects themselves; a chunk's memo goes with it.
CHUNK = 256


def dump_program(prog: Any) -> bytes:
    """A checked program as bytes `load_program` reads: the program without
    its accounts, then its accounts a chunk at a time, each its own pickle
    (memory: the 10,000-call spec's program pickled in one went 20 MB over
    the program's size in the process that pickled it and 30 MB in each
    that read it)."""
    import io
    accounts = prog.accounts
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    p.dump((prog.model_copy(update={"accounts": []}), -(-len(accounts) // CHUNK)))
    for i in range(0, len(accounts), CHUNK):
        p.clear_memo()
        p.dump(accounts[i:i + CHUNK])
    return buf.getvalue()


def load_program(data: bytes, accounts: bool = True) -> Any:
    """The program `dump_program` wrote, read with the collector paused (its
    passes over the objects being made tripled the time); without its
    accounts (none read) when `accounts` is False."""
    import gc
    import io
    was = gc.isenabled()
    gc.disable()
    try:
        f = io.BytesIO(data)
        first = pickle.load(f)
        if not isinstance(first, tuple):  # a program pickled whole
            return first if accounts else first.model_copy(update={"accounts": []})
        prog, chunks = first
        if not accounts:
            return prog
        got: list = []
        for _ in range(chunks):
            got += pickle.load(f)
        return prog.model_copy(update={"accounts": got})
    finally:
        if was:
            gc.enable()


def program_head(data: bytes) -> bytes:
    """The part of `dump_program`'s bytes before its accounts (what
    `load_program(..., accounts=False)` reads): a pool's worker keeps its
    start arguments for its life, so it is given no more."""
    import io
    f = io.BytesIO(data)
    first = pickle.load(f)
    return data[:f.tell()] if isinstance(first, tuple) else data
