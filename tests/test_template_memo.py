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


def test_preparations_are_kept_under_the_banks_the_process_loaded(tmp_path, monkeypatch):
    """cc17: a test process that loaded a bank, then saw it edited before it prepared its templates,
    kept those preparations under the edited bank's digest; the next process drew templates of the
    edited bank with another bank's preparations (an IndexError, or silently other words). A
    preparation is kept under the digest of the banks the process loaded; banks edited while they
    are read are kept nowhere, nor is anything prepared from them."""
    import shutil

    from corpusc.render.template import lexicon, memo
    monkeypatch.delenv("CORPUSC_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(memo, "_PINNED", {})
    root = tmp_path / "phrases"
    shutil.copytree(lexicon.PHRASES, root)
    monkeypatch.setattr(lexicon, "PHRASES", root)
    core = root / "en-US" / "core.json"
    loaded = memo._path("marked", "en-US", ())
    assert memo.kept("bank", "en-US", lambda: {"x": 1}) == {"x": 1}
    core.write_bytes(core.read_bytes() + b"\n")  # edited after the process loaded it
    assert memo._path("marked", "en-US", ()) == loaded  # its preparations: under the banks it loaded
    assert memo._path("bank", "en-US", ()) != loaded  # a new process reads the edit anew (banks: always as on disk)

    def edited_while_read():
        core.write_bytes(core.read_bytes() + b"\n")
        return {"x": 2}
    assert memo.kept("bank", "en-US", edited_while_read) == {"x": 2}
    assert memo._path("marked", "en-US", ()) is None  # nothing prepared from it is kept
    assert not list((tmp_path / "cache").rglob("*.pickle"))[1:]  # only the first bank was written
    assert memo.kept("bank", "en-US", lambda: {"x": 3}) == {"x": 3}  # read again, unchanged: kept
    assert memo._path("marked", "en-US", ()) is not None


def _files(folder, spec):
    """Files of `spec` (name -> (age in seconds, bytes)) made in `folder`, aged."""
    import time
    now = time.time()
    folder.mkdir(parents=True, exist_ok=True)
    for name, (age, size) in spec.items():
        p = folder / name
        p.write_bytes(b"x" * size)
        os.utime(p, (now - age, now - age))
    return now


def test_prune_removes_unused_files_and_the_least_recently_used_past_the_budget(tmp_path, monkeypatch):
    from corpusc.render.template import memo
    monkeypatch.delenv("CORPUSC_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = memo._path("bank", "en-US", ()).parent
    day = 86400
    now = _files(folder, {
        "old.pickle": (8 * day, 10), "week.pickle": (6 * day, 40), "day.pickle": (day, 40),
        "hour.pickle": (3600, 40), "live.pickle": (60, 40),
        "stale.tmp": (memo.GRACE + 10, 5), "writing.tmp": (5, 5), "other.txt": (30 * day, 5)})
    monkeypatch.setattr(memo, "MAX_BYTES", 100)
    assert memo.prune(now) == 4
    # unused for a week: gone; then the oldest till the rest fits; a dead writer's temporary file goes
    assert sorted(p.name for p in folder.iterdir()) == [".pruned", "hour.pickle", "live.pickle", "other.txt",
                                                        "writing.tmp"]
    # within the grace period nothing goes, even far over the budget
    monkeypatch.setattr(memo, "MAX_BYTES", 0)
    assert memo.prune(now, force=True) == 0
    # once an hour over all processes: the marker says the last round was just now
    _files(folder, {"old2.pickle": (30 * day, 1)})
    assert memo.prune(now + 60) == 0 and (folder / "old2.pickle").exists()
    assert memo.prune(now + memo.PRUNE_EVERY + 1) == 1 and not (folder / "old2.pickle").exists()


def test_a_read_keeps_a_file_and_a_pruned_file_is_written_again(tmp_path, monkeypatch):
    """Reading a kept preparation refreshes its time (a live build's files are
    never the unused ones); a Memo whose file went is still saved whole."""
    import time

    from corpusc.render.template import memo
    monkeypatch.delenv("CORPUSC_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert memo.kept("probe", "en-US", lambda: {"a": 1}) == {"a": 1}
    path = memo._path("probe", "en-US", ())
    week = time.time() - 8 * 86400
    os.utime(path, (week, week))
    assert memo.kept("probe", "en-US", lambda: None) == {"a": 1}  # read from the file...
    assert path.stat().st_mtime > week + 86400  # ...which is used now
    assert memo.prune(force=True) == 0 and path.exists()
    m = memo.memo("probe2", "en-US")
    m.make(0, ("t",), lambda job: (job[0], "prepared"))
    m.save()
    m.make(1, ("u",), lambda job: (job[0], job[0]))
    m.path.unlink()  # pruned by another process meanwhile
    m.save()
    assert memo.Memo(m.path).data == {0: "prepared", 1: memo.SAME}


def test_a_build_prunes_the_template_cache(tmp_path):
    """A build's flush prunes the folder: a file unused for longer than
    `KEEP_UNUSED` is gone after building, the build's own files are there."""
    import time
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k != "CORPUSC_NO_CACHE"}
    env["XDG_CACHE_HOME"] = str(cache)
    code = ("from corpusc.render.template import memo; import sys; "
            "sys.stdout.write(str(memo._path('bank', 'en-US', ()).parent))")
    folder = type(tmp_path)(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                           check=True).stdout)
    now = time.time()
    _files(folder, {"stale.pickle": (8 * 86400, 10)})
    subprocess.run([sys.executable, "-m", "corpusc", "build", str(EXAMPLES / "sales_pov.corpus"), "-o",
                    str(tmp_path / "out"), "--jobs", "1", "--only", "transcripts"], env=env, capture_output=True,
                   timeout=600, check=True)
    assert not (folder / "stale.pickle").exists()
    assert (folder / ".pruned").stat().st_mtime >= now - 1
    assert any(p.suffix == ".pickle" for p in folder.iterdir())
