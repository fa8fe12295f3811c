"""`corpusc build` and `corpusc verify` as a user runs them: complete outputs,
byte-identical rebuilds, incremental re-rendering, shards that merge, atomic
files after a kill, and verify catching every kind of tampering."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import EXAMPLES, ROOT

SALES = EXAMPLES / "sales_pov.corpus"


def tree(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(d).parts)}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("build")
    spec = d / "sales_pov.corpus"
    shutil.copy(SALES, spec)
    out = d / "out"
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "2"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + r.stdout
    return d, spec, out, r.stdout


def test_build_writes_every_file(built):
    d, spec, out, stdout = built
    doc = json.loads((out / "manifest.json").read_text())
    assert doc["corpus"] == "sales_pov" and doc["seed"] == 42
    assert len(doc["calls"]) == 14
    for cid, entry in doc["calls"].items():
        for fmt in (".txt", ".json", ".vtt", ".srt"):
            assert f"transcripts/{cid}{fmt}" in entry["files"]
        assert f"ground_truth/{cid}.json" in entry["files"]
    for name in ("plan.json", "coverage.json", "coverage.md"):
        assert (out / name).is_file()
    assert "14 calls rendered" in stdout
    assert not list(out.rglob("*.tmp"))


def test_manifest_lines_are_what_json_writes(built, tmp_path):
    """manifest.json splices each call's recorded file list into its line
    without decoding it; the bytes are what json.dumps of the entry gives,
    also for a row an older corpusc recorded with escaped non-ASCII."""
    from corpusc.builder import manifest
    _, _, out, _ = built
    text = (out / "manifest.json").read_text()
    doc = json.loads(text)
    for cid, entry in doc["calls"].items():
        assert f"\n  {json.dumps(cid)}: {json.dumps(entry, ensure_ascii=False)}" in text
    index = manifest.Index(tmp_path)
    index.put("c1", 0, "ab" * 32, manifest.files_json({"b/ü.json": "1" * 64, "a.txt": "2" * 64}), "r")
    index.put("c2", 1, "cd" * 32, json.dumps({"d/ü.txt": "3" * 64}), "r")  # as an older corpusc wrote it
    manifest.write_manifest(tmp_path, index, {"corpus": "x"}, {})
    index.close()
    got = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    calls = json.loads(got)["calls"]
    assert list(calls["c1"]["files"]) == ["a.txt", "b/ü.json"]
    for cid, entry in calls.items():
        assert f"{json.dumps(cid)}: {json.dumps(entry, ensure_ascii=False)}" in got


@given(st.dictionaries(st.text(max_size=12), st.text(max_size=8) | st.text("0123456789abcdef", min_size=64,
                                                                            max_size=64), max_size=5))
def test_files_json_is_json_dumps(files):
    from corpusc.builder.manifest import files_json
    assert files_json(files) == json.dumps(dict(sorted(files.items())), ensure_ascii=False)


@given(st.text(max_size=16))
def test_manifest_quotes_ids_as_json_dumps(cid):
    from corpusc.builder.manifest import _quoted
    assert _quoted(cid) == json.dumps(cid)


def test_ground_truth_validates_and_points_at_the_text(built):
    _, _, out, _ = built
    schema = json.loads((ROOT / "specs" / "ground_truth.schema.json").read_text())
    for gt_path in sorted((out / "ground_truth").glob("*.json")):
        gt = json.loads(gt_path.read_text())
        jsonschema.validate(gt, schema)
        txt = (out / gt["transcript"]).read_text()
        for s in gt["signals"]["surface"] + gt["moments"] + gt["divergence_points"]:
            if "start" in s:
                assert txt[s["start"]:s["end"]] == s["quote"]
        assert {"surface", "behavioral", "psychographic"} <= set(gt["signals"])


def test_verify_passes_on_a_fresh_build(built, cli):
    _, _, out, _ = built
    status, output = cli("verify", str(out))
    assert status == 0, output
    assert "verify passed" in output


def test_rebuild_is_a_noop_and_byte_identical(built):
    d, spec, out, _ = built
    before = tree(out)
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0
    assert "up to date, 14 calls unchanged" in r.stdout
    assert tree(out) == before


def test_two_builds_are_byte_identical(built, tmp_path):
    d, spec, out, _ = built
    other = tmp_path / "again"
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(other), "--jobs", "1"],
                       capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED="7"))
    assert r.returncode == 0, r.stderr
    a, b = tree(out), tree(other)
    a.pop("manifest.json"), b.pop("manifest.json")  # records the spec's path relative to the output
    assert a == b


def test_editing_one_account_rerenders_only_its_calls(tmp_path):
    spec = tmp_path / "s.corpus"
    text = SALES.read_text()
    spec.write_text(text)
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out)], check=True,
                   capture_output=True)
    before = tree(out)
    edited = text.replace('region "US Midwest"', 'region "US Midwest and Ontario"')
    assert edited != text
    spec.write_text(edited)
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out)],
                       capture_output=True, text=True, check=True)
    after = tree(out)
    assert set(after) == set(before)
    changed = {k for k in after if before.get(k) != after[k]}
    assert "4 calls rendered, 10 unchanged" in r.stdout
    per_call = {k for k in changed if k.startswith(("transcripts/", "ground_truth/"))}
    assert all("/northwind." in k for k in per_call)
    # the quality figures of the calls it skipped come from what the index
    # kept of them: coverage equals a clean build's
    clean = tmp_path / "clean"
    subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(clean)], check=True,
                   capture_output=True)
    for name in ("coverage.json", "coverage.md", "plan.json"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


def test_shards_merge_into_the_unsharded_manifest(built, tmp_path):
    d, spec, out, _ = built
    sharded = tmp_path / "sharded"
    for i in (1, 2, 3):
        subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(sharded),
                        "--shard", f"{i}/3", "--jobs", "1"], check=True, capture_output=True)
    full = json.loads((out / "manifest.json").read_text())
    part = json.loads((sharded / "manifest.json").read_text())
    assert part["calls"] == full["calls"]
    for cid, entry in full["calls"].items():
        for rel, sha in entry["files"].items():
            assert hashlib.sha256((sharded / rel).read_bytes()).hexdigest() == sha


def _copy(out: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(out.parent, dst)
    return dst / "out"


@pytest.mark.parametrize("tamper,code", [
    ("delete", "E0701"), ("edit_txt", "E0702"), ("offsets", "E0703"), ("cues", "E0704"),
])
def test_verify_catches_tampering(built, tmp_path, cli, tamper, code):
    _, _, out, _ = built
    out = _copy(out, tmp_path)
    doc = json.loads((out / "manifest.json").read_text())
    cid = "northwind.review"
    txt = out / "transcripts" / f"{cid}.txt"
    gt = out / "ground_truth" / f"{cid}.json"
    if tamper == "delete":
        txt.unlink()
    elif tamper == "edit_txt":
        txt.write_text(txt.read_text().replace("Marco", "Mark", 1))
    elif tamper in ("offsets", "cues"):
        if tamper == "offsets":
            g = json.loads(gt.read_text())
            item = next(x for x in g["signals"]["surface"] + g["moments"] if "start" in x)
            item["start"] += 3
            gt.write_text(json.dumps(g, indent=2, ensure_ascii=False) + "\n")
            path = gt
        else:
            lines = txt.read_text().split("\n")
            i = next(k for k, line in enumerate(lines) if "[" in line and ": [" in line)
            lines[i] = lines[i].replace("[", "[very ", 1)
            txt.write_text("\n".join(lines))
            path = txt
        # keep the manifest hash in step so the deeper check is what fails
        rel = str(path.relative_to(out))
        doc["calls"][cid]["files"][rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        (out / "manifest.json").write_text(json.dumps(doc, indent=1))
    status, output = cli("verify", str(out))
    assert status == 1, output
    assert f"[{code}]" in output


def test_verify_without_manifest(cli, tmp_path):
    status, output = cli("verify", str(tmp_path))
    assert status == 1 and "[E0705]" in output


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_build_leaves_no_partial_files_and_rerun_matches(tmp_path, sig):
    """A first build writes its new folders in a stage. Killed outright
    (SIGKILL to it and its workers), it publishes nothing and the rerun
    recovers what the index recorded; stopped by SIGTERM (a CI timeout,
    docker stop), it publishes the calls it finished, whole, and the rerun
    renders only the rest. Either way the result equals a clean build."""
    spec = tmp_path / "big.corpus"
    spec.write_text(subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gen_spec.py"), "4000"],
                                   capture_output=True, text=True, check=True).stdout)
    out = tmp_path / "out"
    p = subprocess.Popen([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "2"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    enough = 20 if sig == signal.SIGKILL else 450  # SIGTERM: after some batches of calls were recorded
    while time.time() < deadline and len(list(out.glob(".corpusc/stage-*/transcripts/*"))) < enough:
        time.sleep(0.01)
    if sig == signal.SIGKILL:
        os.killpg(p.pid, sig)
    else:
        os.kill(p.pid, sig)
    p.wait(timeout=60)
    assert p.returncode == (-sig if sig == signal.SIGKILL else 128 + sig), "the build ended before it was stopped"
    if sig == signal.SIGKILL:
        assert not (out / "transcripts").exists()  # nothing of the stage was published
    else:
        assert (out / "transcripts").is_dir() and not list(out.glob(".corpusc/stage-*"))
    visible = [x for x in out.rglob("*") if x.is_file() and not x.name.startswith(".")
               and ".corpusc" not in x.parts]
    for f in visible:  # whatever was written before the kill is whole
        if f.suffix == ".json":
            json.loads(f.read_text())
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "2"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    if sig == signal.SIGTERM:
        assert int(r.stdout.split(" unchanged")[0].rsplit(" ", 1)[1]) >= 64, r.stdout  # a batch at least
    clean = tmp_path / "clean"
    subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(clean), "--jobs", "2"],
                   check=True, capture_output=True)
    a, b = tree(out), tree(clean)
    a.pop("manifest.json"), b.pop("manifest.json")
    assert a == b
    assert not list(out.rglob("*.tmp"))
    assert not list(out.glob(".corpusc/stage-*"))  # the killed build's stage is gone
    for f in out.rglob("*"):
        if f.is_file() and f.suffix in (".txt", ".json"):
            assert f.read_bytes().endswith(b"\n")


def test_a_deleted_file_is_rendered_again(built, tmp_path):
    _, spec, out, _ = built
    out = _copy(out, tmp_path)
    before = tree(out)
    (out / "transcripts" / "kestrel.trial.vtt").unlink()
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out)],
                       capture_output=True, text=True, check=True)
    assert "1 calls rendered, 13 unchanged" in r.stdout
    after = tree(out)
    before.pop("manifest.json"), after.pop("manifest.json")  # the copy's spec path is relative to it
    assert after == before


@pytest.mark.parametrize("rel", ["transcripts/kestrel.intro.txt", "transcripts/kestrel.intro.json",
                                 "transcripts/kestrel.intro.vtt", "transcripts/kestrel.intro.srt",
                                 "ground_truth/kestrel.intro.json", "ground_truth/northwind.terms.json"])
def test_rendered_call_snapshot(built, rel, text_snapshot):
    """One real rendered call per format, and ground truth, as the engine writes them."""
    _, _, out, _ = built
    assert (out / rel).read_text(encoding="utf-8") == text_snapshot


def test_every_format_is_written(tmp_path):
    spec = tmp_path / "s.corpus"
    text = SALES.read_text()
    start = text.index("emit transcripts")
    end = text.index("}", start) + 1
    spec.write_text(text[:start] + "emit transcripts {\n  formats [txt, json, vtt, zoom_vtt, srt, gong, "
                    "aws_call_analytics]\n}" + text[end:])
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--only", "transcripts"],
                   check=True, capture_output=True)
    names = {p.name for p in (out / "transcripts").iterdir() if p.name.startswith("kestrel.intro.")}
    assert names == {f"kestrel.intro{ext}" for ext in (".txt", ".json", ".vtt", ".zoom.vtt", ".srt",
                                                        ".gong.json", ".gong.parties.json", ".aws.json")}
    assert not (out / "ground_truth").exists()


def test_index_streams_plan_order_without_a_sort(tmp_path):
    """manifest.json reads the index in plan order through an index on
    (idx, id); an index.sqlite from an earlier build gets it too."""
    import sqlite3

    from corpusc.builder import manifest
    (tmp_path / ".corpusc").mkdir()
    old = sqlite3.connect(tmp_path / manifest.INDEX)
    old.execute("CREATE TABLE calls (id TEXT PRIMARY KEY, idx INTEGER, hash TEXT, files TEXT, run TEXT)")
    old.execute("CREATE INDEX calls_by_idx ON calls (idx)")
    old.execute("INSERT INTO calls VALUES ('b', 1, 'h', '{}', 'r'), ('a', 1, 'h', '{}', 'r'), ('c', 0, 'h', '{}', 'r')")
    old.commit()
    old.close()
    index = manifest.Index(tmp_path)
    try:
        plan = " ".join(row[-1] for row in index.db.execute("EXPLAIN QUERY PLAN " + index.ROWS))
        assert "TEMP B-TREE" not in plan and "calls_by_position" in plan
        assert [r[0] for r in index.rows()] == ["c", "a", "b"]
        names = {r[0] for r in index.db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert "calls_by_idx" not in names
    finally:
        index.close()


@pytest.mark.parametrize("sales,population", [(0, 0), (7, 0), (0, 5), (9, 7000)])
def test_calls_written_on_the_way_equal_the_index(tmp_path, sales, population):
    """CallsPart (a first build's manifest calls) gives what the index gives:
    non-ASCII and escaped ids and paths,
    no calls at all, and more than one 1 MB chunk."""
    from corpusc.builder import manifest
    rows = [(f"acc.ü{i}" if i % 3 else f'acc."{i}', i, f"{i:064x}",
             manifest.files_json({f"transcripts/acc ü{i}.txt": "a" * 64, f"q\\{i}.json": "b" * 64}))
            for i in range(sales)]
    rows += [(f"pop.{k:05d}", sales + k, f"{k:064x}", manifest.files_json({f"vcp/pop.{k:05d}.json": "c" * 64}))
             for k in range(population)]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    index = manifest.Index(tmp_path / "a")
    part = manifest.CallsPart(tmp_path / "a")
    try:
        for k in range(0, sales + population, 1000):  # the units' rows, merged in plan order
            part.add([(*r, 1, None) for r in rows[k:k + 1000]])
        for r in rows:
            index.put(*r, "run")
        meta = {"corpus": "x"}
        manifest.write_manifest(tmp_path / "a", index, meta, {}, part)
        manifest.write_manifest(tmp_path / "b", index, meta, {})
    finally:
        part.close()
        index.close()
    got = (tmp_path / "a" / "manifest.json").read_bytes()
    assert got == (tmp_path / "b" / "manifest.json").read_bytes()
    assert list(json.loads(got)["calls"]) == [r[0] for r in rows]
    assert population < 7000 or len(got) > 1 << 20


@pytest.mark.parametrize("change", ["same_size", "truncate", "append"])
def test_an_edited_file_is_rendered_again(built, tmp_path, change):
    """A file whose bytes no longer match the manifest is rendered again by the
    next build (the fast path for a finished build and the per-call skip
    both notice), after which verify passes; a same-size edit too."""
    _, spec, out, _ = built
    out = _copy(out, tmp_path)
    before = tree(out)
    f = out / "transcripts" / "kestrel.intro.txt"
    data = f.read_bytes()
    i = data.index(b"Noor")
    f.write_bytes({"same_size": data[:i] + bytes([data[i] ^ 1]) + data[i + 1:],
                   "truncate": data[:len(data) // 2], "append": data + b"x"}[change])
    r = subprocess.run([sys.executable, "-m", "corpusc", "verify", str(out)], capture_output=True, text=True)
    assert r.returncode == 1 and "[E0702]" in r.stdout + r.stderr
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out)],
                       capture_output=True, text=True, check=True)
    assert "1 calls rendered, 13 unchanged" in r.stdout, r.stdout
    after = tree(out)
    before.pop("manifest.json"), after.pop("manifest.json")
    assert after == before
    r = subprocess.run([sys.executable, "-m", "corpusc", "verify", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_an_edited_file_of_an_unfinished_build_is_rendered_again(built, tmp_path):
    """The per-call skip (a build that must run: here a spec whose other
    account changed) hashes a file whose size or time moved."""
    _, spec, out, _ = built
    out = _copy(out, tmp_path)
    spec = out.parent / spec.name
    f = out / "transcripts" / "kestrel.intro.txt"
    data = f.read_bytes()
    f.write_bytes(data.replace(b"Noor", b"Nora", 1))
    assert len(f.read_bytes()) == len(data) and f.read_bytes() != data
    from corpusc.builder import manifest
    index = manifest.Index(out)
    index.set_meta("complete", None)  # as after a stopped build
    index.close()
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out)],
                       capture_output=True, text=True, check=True)
    assert "1 calls rendered, 13 unchanged" in r.stdout, r.stdout
    assert f.read_bytes() == data


@pytest.mark.parametrize("only", ["nonsense", "transcripts,bogus", ","])
def test_only_with_an_unknown_backend_is_a_usage_error(tmp_path, only):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(SALES), "-o", str(out), "--only", only],
                       capture_output=True, text=True)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "known: audio, ground_truth, sa, transcripts, vcp" in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("only", ["", " , "])
def test_only_naming_nothing_is_a_usage_error(tmp_path, only):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(SALES), "-o", str(out), "--only", only],
                       capture_output=True, text=True)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "(none given)" in r.stderr and not out.exists()


def test_only_with_a_backend_the_spec_does_not_emit_is_a_usage_error(tmp_path):
    """`--only audio` on a spec without `emit audio` would build nothing of it
    and exit 0."""
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(SALES), "-o", str(out), "--only",
                        "transcripts,audio"], capture_output=True, text=True)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "`audio` not emitted" in r.stderr and "it emits: transcripts, ground_truth" in r.stderr
    assert not out.exists()
