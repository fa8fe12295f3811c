"""The pipeline's one import direction, read from the installed package as
Python finds it (the folders are mapped under `corpusc` by pyproject's
package-dir, so the source tree's folder names say nothing): every module of
`corpusc` is located through importlib and its imports, including those
inside functions, are read from its syntax tree.

cli -> score -> builder -> backends -> render -> plan -> compiler -> diagnostics;
deliver sits beside builder and reads only plan models and outputs.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.util
import pkgutil

import pytest

import corpusc

# the stages a package may import from, besides itself and the root package
# (`corpusc/__init__.py`, which holds only the version)
ALLOWED = {
    "diagnostics": set(),
    "compiler": {"diagnostics"},
    "plan": {"compiler", "diagnostics"},
    "render": {"plan", "compiler", "diagnostics"},
    "backends": {"render", "plan", "compiler", "diagnostics"},
    "builder": {"backends", "render", "plan", "compiler", "diagnostics"},
    "deliver": {"plan", "compiler", "diagnostics"},
    "score": {"builder", "backends", "render", "plan", "compiler", "diagnostics"},
    "cli": {"score", "builder", "deliver", "backends", "render", "plan", "compiler", "diagnostics"},
}
DATA = {"grammar", "stdlib", "specs"}  # package data, imported by nobody's code


def _installed_stages() -> set[str]:
    """The sub-packages the installed distribution holds: from its file list
    (a wheel install) or from the mapping of its editable finder (`pip
    install -e`)."""
    stages = set()
    files = [f for d in importlib.metadata.distributions(name="corpusc") for f in d.files or ()]
    for f in files:
        parts = f.parts
        if len(parts) > 2 and parts[0] == "corpusc":
            stages.add(parts[1])
        if f.name.startswith("__editable__") and f.name.endswith("finder.py"):
            tree = ast.parse(f.locate().read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and getattr(target, "id", "") == "MAPPING":
                    for name in ast.literal_eval(node.value):
                        stages |= {name.split(".")[1]} if name.count(".") == 1 else set()
    return stages - {"__pycache__"}


STAGES = _installed_stages()


def _modules() -> dict[str, str]:
    """Every module of the installed package: name -> source file, each
    located by importlib."""
    out = {}
    for stage in [None] + sorted(STAGES - DATA):
        pkg = importlib.import_module("corpusc" if stage is None else f"corpusc.{stage}")
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            spec = importlib.util.find_spec(info.name)
            if spec and spec.origin and spec.origin.endswith(".py"):
                out[info.name] = spec.origin
        out[pkg.__name__] = importlib.util.find_spec(pkg.__name__).origin
    return out


MODULES = _modules()


def _stage(mod: str) -> str | None:
    parts = mod.split(".")
    if parts[0] != "corpusc" or len(parts) == 1:
        return None
    return "cli" if parts[1] == "__main__" else parts[1]


def _resolve(mod: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    is_pkg = MODULES[mod].endswith("__init__.py")
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(mod: str) -> list[tuple[str, int, str | None]]:
    """(imported module, line, name taken from it or None) for every import."""
    with open(MODULES[mod], encoding="utf-8") as f:
        tree = ast.parse(f.read())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno, None) for a in node.names if a.name.startswith("corpusc")]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(mod, node)
            if not target.startswith("corpusc"):
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                if sub in MODULES:
                    out.append((sub, node.lineno, None))
                else:
                    out.append((target, node.lineno, a.name))
    return out


def test_the_installed_package_is_read():
    assert STAGES - DATA <= set(ALLOWED), f"a stage with no place in the order: {STAGES - DATA - set(ALLOWED)}"
    stages = {_stage(m) for m in MODULES} - {None}
    assert {"diagnostics", "compiler", "plan", "render", "backends", "builder", "deliver", "cli"} <= stages, stages
    # found as Python finds them, whatever the folders are called in the source tree
    assert MODULES["corpusc.plan.planner"].endswith("planner.py")


@pytest.mark.parametrize("mod", sorted(MODULES))
def test_imports_go_one_way(mod):
    here = _stage(mod)
    if here is None:
        return
    bad = []
    for target, line, name in _imports(mod):
        there = _stage(target)
        if there is None or there == here:
            continue
        if there in DATA or there not in ALLOWED.get(here, set()):
            bad.append(f"{MODULES[mod]}:{line}: {here} imports {target} ({there})")
        elif name and name.startswith("_"):
            bad.append(f"{MODULES[mod]}:{line}: private `{name}` imported across packages from {target}")
    assert not bad, "\n".join(bad)


def test_no_import_loops():
    graph = {m: sorted({t for t, _, _ in _imports(m) if t in MODULES and t != m}) for m in MODULES}
    # a package's __init__ is imported with each of its modules; a loop through
    # an __init__ that only hands names on is a loop all the same
    index, low, stack, on, loops = {}, {}, [], set(), []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                loops.append(sorted(comp))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    assert not loops, "import loops:\n" + "\n".join(" <-> ".join(c) for c in loops)


# a dependency no module imports: tzdata is the IANA database zoneinfo reads
# where the system has none (plan/clock.py), installed, never imported
DATA_DEPENDENCIES = {"tzdata"}


def test_every_declared_dependency_is_imported():
    """Issue 14 §9: a dependency nothing imports (jinja2 before the LLM
    renderer took it up for prompts) is removed, not carried. Read from the
    installed distribution's requirements and its modules' syntax trees."""
    import re
    declared = {re.split(r"[\s<>=!~;\[(]", r, maxsplit=1)[0].lower().replace("_", "-")
                for r in importlib.metadata.requires("corpusc") or () if "extra ==" not in r}
    dists = importlib.metadata.packages_distributions()
    used = set()
    for mod, path in MODULES.items():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            for n in names:
                used |= {d.lower().replace("_", "-") for d in dists.get(n.split(".")[0], ())}
    assert declared and "pydantic" in used
    assert declared - used - DATA_DEPENDENCIES == set(), "declared but imported by no module"
