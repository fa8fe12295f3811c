"""Population calls are made in the build's workers, a range at a time
(worker.render_range); the main process merges their plan lines, tallies and
distribution in plan order. These tests hold that to what one pass over the
plan gives, and check the incremental decisions the workers make."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from corpusc.builder import distribution as distmod
from corpusc.builder import executor, worker
from corpusc.builder.incremental import backend_signature
from corpusc.plan import planner as planmod
from corpusc.diagnostics.model import Sink
from corpusc.builder.compile import compile_spec

SPEC = """
corpus mixed {
  seed 11
  timezone "America/Chicago"
}

use stdlib.domains.hvac
use stdlib.personas
use stdlib.objections
use stdlib.industries

rep jordan "Jordan Reyes" {
  title "Account Executive"
  gender male
}

account acme "Acme Logistics" {
  size enterprise
  industry logistics
  outcome stalled
  stakeholder marco "Marco Ruiz" {
    role "VP Sales"
    persona executive_champion
    decision_maker
    gender male
  }
  call intro on day 0 {
    stage discovery
    length short
    with jordan, marco
  }
}

population inbound {
  domain hvac_services
  count 700
  window 2026-03-02..2026-03-15
  timezone "America/Chicago"
  hours 07:00..21:00 peak 10:00
  scenario weights {
    booked_service 28% scheduled_callback 18% live_transfer 14% spam_filtered 13%
    quote_requested 11% out_of_service_area 9% emergency_service 7%
  }
  provider uniform [retell, vapi, bland]
  field duration_sec: lognormal(median 130s, sigma 0.4) clamp 20s..900s
  field sentiment: normal(mean 0.68, sd 0.12) clamp 0.0..1.0
  field first_contact_resolution: bool(p 70%)
  when scenario == booked_service {
    field estimated_value_usd: lognormal(median 285, sigma 0.5) clamp 89..2500
  }
}

population overflow {
  domain hvac_services
  count 260
  window 2026-03-09..2026-03-15
  timezone "America/Chicago"
  hours 08:00..18:00
  scenario weights { booked_service 60% spam_filtered 40% }
  field duration_sec: int(lo 40, hi 300)
}

emit transcripts { formats [json] }
emit vcp { version "0.3" mode gtm }
"""


def _write(tmp_path: Path, text: str = SPEC) -> Path:
    p = tmp_path / "mixed.corpus"
    p.write_text(text)
    return p


def _build(cli, spec: Path, out: Path, *args: str) -> str:
    code, text = cli("build", str(spec), "-o", str(out), *args)
    assert code == 0, text
    return text


def _tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".corpusc" not in p.parts}


def test_spec_compiles_cleanly(tmp_path):
    sink = Sink()
    compiled = compile_spec(str(_write(tmp_path)), sink)
    assert compiled.program is not None and not sink.errors, [d.message for d in sink.items]


def test_plan_json_and_distribution_equal_one_pass(cli, tmp_path):
    spec = _write(tmp_path)
    out = tmp_path / "out"
    _build(cli, spec, out, "--jobs", "2")
    code, text = cli("plan", str(spec), "--json", "-o", str(tmp_path / "plan.json"))
    assert code == 0, text
    assert (out / "plan.json").read_bytes() == (tmp_path / "plan.json").read_bytes()
    compiled = compile_spec(str(spec), Sink())
    one_pass = distmod.measure(compiled.program, planmod.calls(compiled.program)).model_dump(mode="json")
    assert json.loads((out / "coverage.json").read_text())["distribution"] == one_pass
    # 1 sales call + 960 population calls, in plan order, each once
    calls = json.loads((out / "plan.json").read_text())["calls"]
    assert [c["index"] for c in calls] == list(range(961))
    assert Counter(c["kind"] for c in calls) == {"sales": 1, "population": 960}


def test_jobs_1_and_2_write_the_same_bytes(cli, tmp_path):
    spec = _write(tmp_path)
    _build(cli, spec, tmp_path / "one", "--jobs", "1")
    _build(cli, spec, tmp_path / "two", "--jobs", "2")
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert len(one) > 1900 and one == two


def test_rebuild_renders_only_what_changed(cli, tmp_path):
    spec = _write(tmp_path)
    out = tmp_path / "out"
    _build(cli, spec, out, "--jobs", "2")
    before = _tree(out)
    (out / "vcp" / "inbound.00042.json").unlink()
    (out / "transcripts" / "overflow.00007.json").unlink()
    text = _build(cli, spec, out, "--jobs", "2")
    assert "2 calls rendered, 959 unchanged" in text
    assert _tree(out) == before
    # the second population's sampler changes: only its 260 calls are rendered again
    _write(tmp_path, SPEC.replace("int(lo 40, hi 300)", "int(lo 400, hi 600)"))
    text = _build(cli, spec, out, "--jobs", "2")
    assert "260 calls rendered, 701 unchanged" in text
    after = _tree(out)
    assert after["vcp/inbound.00001.json"] == before["vcp/inbound.00001.json"]


def test_a_first_builds_manifest_is_the_one_the_index_gives(cli, tmp_path, monkeypatch):
    """A first build writes manifest.json's calls on the way (CallsPart),
    without reading the index back; a later build streams them from the
    index. Both give the same bytes, sales call first, then populations."""
    from corpusc.builder import manifest as manmod
    spec = _write(tmp_path)
    out = tmp_path / "out"
    rows = manmod.Index.rows

    def refused(self):
        raise AssertionError("a first build reads its calls back from the index")

    monkeypatch.setattr(manmod.Index, "rows", refused)
    _build(cli, spec, out, "--jobs", "2")
    first = (out / "manifest.json").read_bytes()
    monkeypatch.setattr(manmod.Index, "rows", rows)
    (out / "manifest.json").unlink()
    assert "0 calls rendered, 961 unchanged" in _build(cli, spec, out, "--jobs", "2")
    assert (out / "manifest.json").read_bytes() == first
    calls = json.loads(first)["calls"]
    assert [e["index"] for e in calls.values()] == list(range(961)) and next(iter(calls)).startswith("acme.")


def test_fewer_calls_remove_the_stale_files(cli, tmp_path):
    spec = _write(tmp_path)
    out = tmp_path / "out"
    _build(cli, spec, out)
    _write(tmp_path, SPEC.replace("count 260", "count 200"))
    _build(cli, spec, out)
    assert not (out / "vcp" / "overflow.00201.json").exists()
    assert (out / "vcp" / "overflow.00200.json").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["calls"]) == 901


@pytest.mark.parametrize("chunk", [7, 64])
def test_merged_batches_measure_what_one_pass_measures(tmp_path, monkeypatch, chunk):
    """Reservoirs, float sums and the cap on undeclared text values must not
    depend on how the calls were batched."""
    monkeypatch.setattr(distmod, "RESERVOIR", 50)
    monkeypatch.setattr(distmod, "CHUNK", 100)
    monkeypatch.setattr(distmod, "MAX_LEVELS", 3)  # ANI and time buckets overflow it
    compiled = compile_spec(str(_write(tmp_path)), Sink())
    prog = compiled.program
    calls = list(planmod.calls(prog))
    one_pass = distmod.measure(prog, calls)
    acc = distmod.Accumulator(prog)
    for i in range(0, len(calls), chunk):
        part = distmod.Partial()
        for c in calls[i:i + chunk]:
            if c.kind == "population":
                part.add(c)
        acc.merge(part)
    merged = acc.result()
    assert merged == one_pass
    ani = next(c for c in merged.populations[0].categoricals if c.field == "ANI")
    assert ani.other > 0 and len(ani.levels) == 3


def test_a_worker_range_is_the_calls_of_one_pass(tmp_path):
    compiled = compile_spec(str(_write(tmp_path)), Sink())
    prog = compiled.program
    header = planmod.header(prog, compiled.spec_hash)
    from corpusc.builder.apart import dump_program
    worker.init(dump_program(prog), header.model_dump_json(), {}, [], str(tmp_path / "o"),
                backend_signature(prog, [])[4], None,
                   str(tmp_path / "stage"), [])
    r = worker.render_range(1, 701, 50, 90, {}, True)
    expected = [c for c in planmod.calls(prog) if c.population == "overflow"][50:90]
    assert r.lines.decode() == ",\n    ".join(c.model_dump_json() for c in expected)
    assert [row[:2] for row in r.rows] == [(c.id, c.index) for c in expected]


@pytest.mark.parametrize("tmpfile", [True, False])
def test_write_output_creates_and_replaces_whole_files(tmp_path, monkeypatch, tmpfile):
    """Both ways of writing a rendered file (an unnamed O_TMPFILE linked in,
    or a temporary name renamed) create missing folders, replace an existing
    file and leave no temporary file behind."""
    from corpusc.plan import atomic
    if not tmpfile:
        monkeypatch.setattr(atomic, "_O_TMPFILE", 0)
    target = tmp_path / "deep" / "er" / "call.json"
    atomic.write_output(target, b'{"v": 1}\n')
    assert target.read_bytes() == b'{"v": 1}\n'
    atomic.write_output(str(target), b'{"v": 2}\n' * 1000)
    assert target.read_bytes() == b'{"v": 2}\n' * 1000
    assert sorted(p.name for p in target.parent.iterdir()) == ["call.json"]
    assert (target.stat().st_mode & 0o777) == 0o644 & ~_umask()


def _umask() -> int:
    import os
    old = os.umask(0)
    os.umask(old)
    return old


def test_a_build_stopped_midway_publishes_what_it_recorded(cli, tmp_path, monkeypatch):
    """A first build writes its new folders in a stage. When it stops early
    (here the disk fills up at the 700th file: E0903, not an internal error),
    the files of the calls the index recorded are moved into place, whole;
    the rest of the stage is dropped, and a rerun renders only what is
    missing and ends equal to a clean build."""
    from corpusc.builder import staging
    from corpusc.builder.manifest import Index
    spec, out = _write(tmp_path), tmp_path / "out"
    write = staging.Writer.write
    count = [0]

    def failing(self, rel, data):
        count[0] += 1
        if count[0] == 700:
            raise OSError(28, "No space left on device")
        write(self, rel, data)

    monkeypatch.setattr(staging.Writer, "write", failing)
    code, text = cli("build", str(spec), "-o", str(out), "--jobs", "1")
    assert code == 1 and "error[E0903]: cannot write to" in text and "No space left on device" in text, text
    assert "internal error" not in text
    monkeypatch.setattr(staging.Writer, "write", write)
    assert not list(out.glob(".corpusc/stage-*"))
    index = Index(out)
    recorded = {rel: sha for _, _, _, files in index.rows() for rel, sha in json.loads(files).items()}
    index.close()
    published = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and ".corpusc" not in p.parts
                 and not p.name.startswith(".")}
    assert 0 < len(recorded) < 699 and published == set(recorded)  # whole ranges of calls, nothing more
    for rel, sha in recorded.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == sha
    text = _build(cli, spec, out, "--jobs", "2")
    assert f"{len(recorded) // 2} unchanged" in text
    _build(cli, spec, tmp_path / "clean", "--jobs", "2")
    assert _tree(out) == _tree(tmp_path / "clean")


def test_a_rebuild_writes_existing_folders_in_place_and_new_ones_staged(cli, tmp_path, monkeypatch):
    """Folders present when a build starts get atomic per-file writes; a
    folder the build adds (here vcp/, after a build with transcripts only)
    is staged and published, and the stage is gone afterwards."""
    from corpusc.builder import staging
    spec, out = _write(tmp_path), tmp_path / "out"
    _build(cli, spec, out, "--only", "transcripts", "--jobs", "1")
    assert not (out / "vcp").exists()
    seen = set()
    write = staging.Writer.write

    def spy(self, rel, data):
        write(self, rel, data)
        top = rel.partition("/")[0]
        seen.add((top, self.staged[top]))

    monkeypatch.setattr(staging.Writer, "write", spy)
    _build(cli, spec, out, "--jobs", "1")
    assert seen == {("transcripts", False), ("vcp", True)}
    assert not list(out.glob(".corpusc/stage-*"))
    _build(cli, spec, tmp_path / "clean")
    assert _tree(out) == _tree(tmp_path / "clean")


def test_a_killed_builds_stage_is_recovered_and_a_running_ones_left(tmp_path):
    """The next build moves in the files of a killed build's stage that the
    index recorded with that very sha256 (a file caught mid-write does not
    match) and drops the rest; a stage whose lock is held (a build running
    now, even in another container) is left alone."""
    import hashlib as h
    import os

    from corpusc.builder import staging
    from corpusc.builder.manifest import Index
    out = tmp_path / "out"
    out.mkdir()
    live = staging.Stage(out, "live")
    (live.dir / "vcp").mkdir()
    (live.dir / "vcp" / "a.json").write_text("{}\n")
    dead = out / ".corpusc" / "stage-999999999-dead"
    (dead / "vcp").mkdir(parents=True)
    (dead / ".lock").touch()
    whole, cut = b'{"whole": true}\n', b'{"whole": tr'
    (dead / "vcp" / "done.json").write_bytes(whole)
    (dead / "vcp" / "cut.json").write_bytes(cut)
    (dead / "vcp" / "unrecorded.json").write_bytes(whole)
    index = Index(out)
    sha = h.sha256(whole).hexdigest()
    index.put("c1", 0, "x", f'{{"vcp/done.json": "{sha}"}}', "r")
    index.put("c2", 1, "x", f'{{"vcp/cut.json": "{sha}"}}', "r")  # recorded whole, staged cut
    index.flush()
    staging.recover(out, index)
    index.close()
    assert sorted(os.listdir(out / "vcp")) == ["done.json"] and (out / "vcp" / "done.json").read_bytes() == whole
    assert not dead.exists()
    assert (live.dir / "vcp" / "a.json").is_file()  # still being built
    live.publish()
    assert sorted(os.listdir(out / "vcp")) == ["a.json", "done.json"] and not live.dir.exists()


@pytest.mark.parametrize("jobs", [1, 2, 8])
def test_work_units_shrink_towards_the_end(jobs):
    """Guided scheduling: units of at most MAX_RANGE calls, never growing,
    the last ones small, covering every call once."""
    left, sizes = 180_000, []
    while left:
        sizes.append(min(left, executor.range_size(left, jobs)))
        left -= sizes[-1]
    assert sum(sizes) == 180_000 and max(sizes) == executor.MAX_RANGE
    assert sizes == sorted(sizes, reverse=True) and sizes[-2] == executor.MIN_RANGE
