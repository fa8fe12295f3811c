"""The content hash covers corpusc's own code: a real `corpusc` process run
from a copy of the installed package, whose planner, renderer and builder
source is then edited, renders again exactly what the edit can change, and
says "up to date" only when nothing did."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from .conftest import ROOT
from .test_seams import _spec


def _package_copy(site: Path) -> Path:
    """The package as installed (`corpusc.<stage>` folders under `corpusc/`),
    copied from where this Python imports each stage."""
    dirs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in sorted(dirs, key=lambda n: n.count(".")):
        if name.count(".") > 1:  # inside its stage's folder
            continue
        spec = importlib.util.find_spec(name)
        src = Path(next(iter(spec.submodule_search_locations))) if spec else ROOT / dirs[name]
        shutil.copytree(src, site / name.replace(".", "/"), ignore=ignore, dirs_exist_ok=True)
    shutil.copytree(ROOT / "grammar", site / "corpusc" / "grammar", ignore=ignore, dirs_exist_ok=True)
    return site


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edit_of_the_planner_renderer_or_builder_is_seen_by_build(tmp_path):
    site = _package_copy(tmp_path / "site")
    env = dict(os.environ, PYTHONPATH=str(site), CORPUSC_NO_CACHE="1", PYTHONDONTWRITEBYTECODE="1")
    where = subprocess.run([sys.executable, "-c", "import corpusc.render, corpusc.plan; "
                            "print(corpusc.render.__file__, corpusc.plan.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    assert where.count(str(site)) == 2, where  # the copy is what runs
    spec = _spec(tmp_path)
    txt = tmp_path / "out" / "transcripts"

    def build() -> str:
        p = subprocess.run([sys.executable, "-m", "corpusc", "build", spec.name, "-o", "out", "--jobs", "1"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
        return p.stdout

    assert "2 calls rendered" in build()
    assert "up to date" in build()
    before = {p.name: p.read_text() for p in txt.glob("*.txt")}
    assert before and all(" · " in t.splitlines()[0] for t in before.values())

    # the renderer's layout code (no call, bank or option changed): every call again
    _edit(site / "corpusc" / "render" / "text.py", '"# " + " · ".join(head)', '"# " + " | ".join(head)')
    assert "2 calls rendered, 0 unchanged" in build()
    after = {p.name: p.read_text() for p in txt.glob("*.txt")}
    assert after.keys() == before.keys()
    assert all(" | " in t.splitlines()[0] and " · " not in t.splitlines()[0] for t in after.values())
    assert "up to date" in build()

    # the planner: its calls change, so they render again, though the spec did not
    _edit(site / "corpusc" / "plan" / "planner.py", "parts.append(Participant(id=w, name=rep.display,",
          "parts.append(Participant(id=w, name=rep.display.upper(),")
    assert "2 calls rendered, 0 unchanged" in build()
    assert all("JORDAN REYES" in p.read_text() for p in txt.glob("*.txt"))

    # the builder's reports: no call changes, but the corpus files are written again
    _edit(site / "corpusc" / "builder" / "coverage_report.py", '"""coverage.json and', '"""Edited: coverage.json and')
    assert "0 calls rendered, 2 unchanged" in build()
    assert "up to date" in build()
