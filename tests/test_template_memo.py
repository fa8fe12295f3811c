"""The template renderer's preparation kept between processes
(render/template/memo.py) never changes a rendered call: the calls of the
examples render byte-identically with no cache, with a cache being filled,
read back by a later process, and from a broken cache."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import EXAMPLES

# renders the first calls of each example, in a fresh process, and prints them as JSON
SCRIPT = r"""
import hashlib, itertools, sys
from corpusc.builder.compile import compile_spec
from corpusc.diagnostics.model import Sink
from corpusc.plan import planner
from corpusc.render.template import memo
from corpusc.render.template.engine import render_call
for spec in sys.argv[1:]:
    compiled = compile_spec(spec, Sink())
    header = planner.header(compiled.program, compiled.spec_hash)
    for c in itertools.islice(planner.calls(compiled.program), 40):
        print(c.id, hashlib.sha256(render_call(c, header).model_dump_json().encode()).hexdigest())
memo.flush()
"""


def _render(tmp_path, cache: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CORPUSC_NO_CACHE"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    if not cache:
        env["CORPUSC_NO_CACHE"] = "1"
    specs = [str(EXAMPLES / "sales_pov.corpus"), str(EXAMPLES / "contact_center.corpus")]
    out = subprocess.run([sys.executable, "-c", SCRIPT, *specs], env=env, capture_output=True, text=True,
                         timeout=600, check=True).stdout
    assert out.count("\n") >= 54
    return out


def test_a_kept_preparation_renders_the_same_calls(tmp_path):
    plain = _render(tmp_path, cache=False)
    assert not (tmp_path / "cache").exists()
    assert _render(tmp_path, cache=True) == plain  # filling the cache
    kept = list((tmp_path / "cache").rglob("templates/*.pickle"))
    assert len(kept) >= 4  # each locale's bank and prepared templates, the service variants
    assert _render(tmp_path, cache=True) == plain  # read back
    for p in kept:  # broken files are misses, written again
        p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])
    assert _render(tmp_path, cache=True) == plain


def test_the_key_covers_the_banks_and_the_code(tmp_path, monkeypatch):
    from corpusc.render.template import memo
    monkeypatch.delenv("CORPUSC_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = memo._path("bank", "en-US", ())
    assert first != memo._path("bank", "de-DE", ()) != memo._path("bank", "en-US", (True,))
    monkeypatch.setattr(memo, "_data", lambda locale: b"an edited bank")
    assert memo._path("bank", "en-US", ()) != first
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(memo, "_code", lambda: b"an edited renderer")
    assert memo._path("bank", "en-US", ()) != first
    monkeypatch.setenv("CORPUSC_NO_CACHE", "1")
    assert memo._path("bank", "en-US", ()) is None


def test_a_bank_edited_while_a_process_runs_is_read_anew(tmp_path, monkeypatch):
    import shutil

    from corpusc.render.template import banks, lexicon, memo
    monkeypatch.delenv("CORPUSC_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "phrases"
    shutil.copytree(lexicon.PHRASES, root)
    monkeypatch.setattr(lexicon, "PHRASES", root)
    before = memo._path("bank", "en-US", ())
    core = root / "en-US" / "core.json"
    core.write_bytes(core.read_bytes() + b"\n")
    assert memo._path("bank", "en-US", ()) != before
    banks.load_bank.cache_clear()
    try:
        assert memo.kept("bank", "en-US", lambda: {"x": 1}) == {"x": 1}  # written under the new digest
        assert memo.kept("bank", "en-US", lambda: {"x": 2}) == {"x": 1}  # and read back
    finally:
        banks.load_bank.cache_clear()
