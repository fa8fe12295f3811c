"""Shared fixtures: paths, a CLI runner, and plain-text snapshot files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

# CI draws the same examples every run (a run's verdict is the code's, not
# the draw's); a developer's runs draw new ones, to find what CI would not.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples"


class TextSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "txt"


class JsonSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "json"


@pytest.fixture
def text_snapshot(snapshot):
    return snapshot.use_extension(TextSnapshot)


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JsonSnapshot)


@pytest.fixture
def cli():
    """Run `corpusc ARGS` in-process from a working directory; returns (exit code, output)."""
    from corpusc.cli.main import main

    def run(*args: str, cwd: Path | None = None, input: str | None = None):
        runner = CliRunner()
        old = os.getcwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            res = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        finally:
            os.chdir(old)
        return res.exit_code, res.output
    return run


def located(o):
    """Every located item (start, end, quote) anywhere in a ground-truth document."""
    if isinstance(o, dict):
        if isinstance(o.get("start"), int) and "end" in o and "quote" in o:
            yield o
        for v in o.values():
            yield from located(v)
    elif isinstance(o, list):
        for v in o:
            yield from located(v)


def resumptions(rendered) -> int:
    """How many resumptions ("So, as I was saying") the calls hold, each
    checked: only the speaker the turn before cut off picks the thought back
    up, right after that turn."""
    n = 0
    for rc in rendered:
        T = rc.turns
        for e in rc.evidence:
            if e.kind == "resumption":
                n += 1
                assert e.turn >= 2 and T[e.turn - 2].speaker == T[e.turn].speaker != T[e.turn - 1].speaker, \
                    (rc.call_id, e.turn)
                assert T[e.turn - 1].backchannel and T[e.turn - 1].interjection, (rc.call_id, e.turn)
    return n


@pytest.fixture(scope="session")
def cc_text_build(tmp_path_factory) -> Path:
    """examples/contact_center built once without audio (transcripts, ground
    truth, SA payloads), for the tests that read those files."""
    from corpusc.cli.main import main
    out = tmp_path_factory.mktemp("cc_text") / "out"
    res = CliRunner().invoke(main, ["build", str(EXAMPLES / "contact_center.corpus"), "-o", str(out), "--jobs", "1",
                                    "--only", "transcripts,ground_truth,sa"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="session")
def cc_seed_build(tmp_path_factory, cc_text_build):
    """examples/contact_center built at `seed` (transcripts and ground truth), once a session: the
    contact-center readers check their counts on the example's own draw (`cc_text_build`) and another."""
    made: dict[int, Path] = {}
    text = (EXAMPLES / "contact_center.corpus").read_text(encoding="utf-8")
    assert "seed 12345" in text

    def get(seed: int) -> Path:
        if seed == 12345:
            return cc_text_build
        if seed not in made:
            from corpusc.cli.main import main
            tmp = tmp_path_factory.mktemp(f"cc_{seed}")
            spec = tmp / f"cc_{seed}.corpus"
            spec.write_text(text.replace("seed 12345", f"seed {seed}"), encoding="utf-8")
            res = CliRunner().invoke(main, ["build", str(spec), "-o", str(tmp / "out"), "--jobs", "1",
                                            "--only", "transcripts,ground_truth"], catch_exceptions=False)
            assert res.exit_code == 0, res.output
            made[seed] = tmp / "out"
        return made[seed]
    return get


def sales_spec_path(param: str, tmp_path_factory, calls: int, seeds: dict[str, int]) -> Path:
    """The spec a test of sales dialogue reads for `param`: "pov" the bundled
    sales_pov example, "en"/"de" a generated spec of `calls` calls (seed
    `seeds[param]`) in English or German. One place, so the dialogue tests
    that read the same three corpora build them the same way."""
    if param == "pov":
        return EXAMPLES / "sales_pov.corpus"
    import sys
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from gen_spec import sales_spec
    path = tmp_path_factory.mktemp("gen") / "gen.corpus"
    path.write_text(sales_spec(calls, seeds[param], "de-DE" if param == "de" else None), encoding="utf-8")
    return path


def generated_spec(path: Path, *args: str | int) -> Path:
    """benchmarks/gen_spec.py's spec for `args` ("--calls", 150, "--seed", 3, ...) written to `path`, run as
    a user runs it: the one way the tests that read a generated corpus make its spec."""
    path.write_text(subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gen_spec.py"), *map(str, args)],
                                   capture_output=True, text=True, check=True).stdout, encoding="utf-8")
    return path


def build_spec(spec: Path, out: Path, *, jobs: int = 1, only: str | None = None, verify: bool = False) -> Path:
    """`corpusc build spec -o out` in a fresh process (as a user runs it), asserting it succeeded; with
    `verify`, `corpusc verify out` must pass too (the audit passes on every build that says so)."""
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", str(jobs),
                        *(["--only", only] if only else [])], capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-2000:] + r.stdout[-2000:]
    if verify:
        v = subprocess.run([sys.executable, "-m", "corpusc", "verify", str(out)], capture_output=True, text=True)
        assert v.returncode == 0, v.stdout[-2000:] + v.stderr[-2000:]
    return out
