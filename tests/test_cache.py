"""The cache of parsed modules gives back the module the parser made: same
classes, fields, fields-sets and spans, for every example and stdlib module."""

from __future__ import annotations

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
