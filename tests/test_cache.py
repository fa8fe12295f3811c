"""The cache of parsed modules gives back the module the parser made: same
classes, fields, fields-sets and spans, for every example and stdlib module."""

from __future__ import annotations

import os
import time

import pytest

from corpusc.compiler import cache
from corpusc.compiler.parse import parse_text
from corpusc.compiler.paths import STDLIB
from corpusc.compiler.transform import to_module
from corpusc.diagnostics.model import Sink

from .conftest import EXAMPLES


def _shape(x):
    """Every model as (class, fields set, fields), recursively."""
    from pydantic import BaseModel
    if isinstance(x, BaseModel):
        return (type(x), sorted(x.model_fields_set), {k: _shape(v) for k, v in x.__dict__.items()})
    if isinstance(x, (list, tuple)):
        return [_shape(v) for v in x]
    return x


SPECS = sorted(EXAMPLES.glob("*.corpus")) + sorted(STDLIB.rglob("*.corpus"))


@pytest.mark.parametrize("path", SPECS, ids=[p.name for p in SPECS])
def test_a_cached_module_is_the_parsed_module(path, tmp_path, monkeypatch):
    monkeypatch.delenv("CORPUSC_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = path.read_text(encoding="utf-8")
    fresh = to_module(path.name, parse_text(path.name, text, Sink()))
    assert cache.get(path.name, text) is None
    cache.put(path.name, text, fresh)
    got = cache.get(path.name, text)
    assert got is not None
    assert _shape(got) == _shape(fresh)
    assert got.model_dump() == fresh.model_dump()


def _aged(path, size: int, age: float, now: float) -> None:
    path.write_bytes(b"x" * size)
    os.utime(path, (now - age, now - age))


def test_the_cache_is_pruned_by_age_and_size_never_an_entry_in_use(tmp_path, monkeypatch):
    monkeypatch.delenv("CORPUSC_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(cache, "MAX_BYTES", 3000)
    d = cache.cache_dir()
    d.mkdir(parents=True)
    (d / "templates").mkdir()  # the template renderer's: not this cache's to prune
    now = time.time()
    day = 86400.0
    _aged(d / "templates" / "t.pickle", 10, 30 * day, now)
    _aged(d / "unused.pickle", 10, 8 * day, now)  # past KEEP_UNUSED
    _aged(d / "lru1.pickle", 1000, 3 * day, now)  # over the budget: the least recently used go
    _aged(d / "lru2.pickle", 1000, 2 * day, now)
    _aged(d / "recent.pickle", 1000, 1 * day, now)  # within the budget once the two went
    _aged(d / "hour.pickle", 1000, 3600, now)
    _aged(d / "live.pickle", 1000, 60, now)
    _aged(d / "stale.tmp", 10, 7 * 3600, now)  # a write that died
    _aged(d / "writing.tmp", 10, 10, now)  # a write under way
    _aged(d / "other.txt", 10, 30 * day, now)
    assert cache.prune(now) == 4
    assert sorted(p.name for p in d.iterdir()) == [".pruned", "hour.pickle", "live.pickle", "other.txt",
                                                   "recent.pickle", "templates", "writing.tmp"]
    assert (d / "templates" / "t.pickle").exists()
    # above the budget, nothing read or written within GRACE goes
    monkeypatch.setattr(cache, "MAX_BYTES", 100)
    assert cache.prune(now, force=True) == 1 and not (d / "recent.pickle").exists()
    assert (d / "hour.pickle").exists() and (d / "live.pickle").exists()
    # once an hour over all processes
    _aged(d / "old.pickle", 10, 8 * day, now)
    assert cache.prune(now + 60) == 0 and (d / "old.pickle").exists()
    assert cache.prune(now + cache.PRUNE_EVERY + 1) == 1 and not (d / "old.pickle").exists()


def test_a_read_keeps_an_entry_and_a_write_prunes(tmp_path, monkeypatch):
    """A module read from the cache is in use: its time is refreshed, so the
    pruning a later write starts removes the unused entries around it, not it."""
    monkeypatch.delenv("CORPUSC_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = SPECS[0]
    text = path.read_text(encoding="utf-8")
    module = to_module(path.name, parse_text(path.name, text, Sink()))
    cache.put(path.name, text, module)
    d = cache.cache_dir()
    (entry,) = d.glob("*.pickle")
    long_ago = time.time() - 30 * 86400
    os.utime(entry, (long_ago, long_ago))
    _aged(d / "unused.pickle", 10, 30 * 86400, time.time())
    os.utime(d / ".pruned", (long_ago, long_ago))  # the last pruning long ago
    assert cache.get(path.name, text) is not None
    other = SPECS[1]
    cache.put(other.name, other.read_text(encoding="utf-8"), to_module(other.name, parse_text(
        other.name, other.read_text(encoding="utf-8"), Sink())))
    assert entry.exists() and not (d / "unused.pickle").exists()
    assert cache.get(path.name, text) is not None and len(list(d.glob("*.pickle"))) == 2
