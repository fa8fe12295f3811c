"""benchmarks/spy_shares.py reads a py-spy raw profile: only the stacks of
bench_render's timed loop count, and shares are per function or per line."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT

RAW = "\n".join([
    "<module> (bench_render.py:150);measure (bench_render.py:57);render (render/template/renderer.py:45);_read (render/template/memo.py:114) 40",
    "<module> (bench_render.py:150);measure (bench_render.py:71);render (render/template/renderer.py:45);emit (render/template/language.py:146) 30",
    "<module> (bench_render.py:150);measure (bench_render.py:71);render (render/template/renderer.py:45);emit (render/template/language.py:150) 10",
    "<module> (bench_render.py:150);measure (bench_render.py:71);render (render/template/renderer.py:45);tidy (render/template/language.py:180) 60",
    "<module> (bench_render.py:150);measure (bench_render.py:43);compile_spec (builder/compile.py:20) 25",
])


def _run(tmp_path, *args: str) -> str:
    raw = tmp_path / "p.raw"
    raw.write_text(RAW + "\n", encoding="utf-8")
    return subprocess.run([sys.executable, str(ROOT / "benchmarks/spy_shares.py"), str(raw), *args],
                          check=True, capture_output=True, text=True).stdout


def test_only_the_timed_loop_counts(tmp_path):
    out = _run(tmp_path)
    assert "100 samples through bench_render.py:71)" in out
    assert " 60.0% tidy (render/template/language.py)" in out and " 40.0% emit (render/template/language.py)" in out
    assert "_read" not in out and "compile_spec" not in out


def test_lines_and_a_frame_of_ones_choice(tmp_path):
    out = _run(tmp_path, "--lines")
    assert " 30.0% emit (render/template/language.py:146)" in out and " 10.0% emit (render/template/language.py:150)" in out
    out = _run(tmp_path, "--within", "compile_spec")
    assert "25 samples" in out and "100.0% compile_spec (builder/compile.py)" in out
