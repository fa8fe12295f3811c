"""A renderer's optional capabilities are declared protocols
(render/protocol.py: Cached, Prefetching, Paid, Batching), not attribute
names the build and the CLI guess with `hasattr`. The built-in renderers
declare what they do; a call site that asks for a capability by name again
fails here."""
from __future__ import annotations

import ast

from corpusc.render import protocol
from corpusc.render.llm.renderer import Llm
from corpusc.render.template.renderer import Template

from .conftest import ROOT

CAPS = (protocol.Cached, protocol.Prefetching, protocol.Paid, protocol.Batching)


def test_llm_declares_every_capability_and_template_none():
    assert all(isinstance(Llm(), c) for c in CAPS)
    assert not any(isinstance(Template(), c) for c in CAPS)


def test_a_renderer_with_one_capability_has_only_that_one():
    class OnlyCached:
        def bind(self, out):
            pass

        def manifest_section(self, out, options, ids):
            return None
    assert isinstance(OnlyCached(), protocol.Cached)
    assert not any(isinstance(OnlyCached(), c) for c in CAPS[1:])


def _capability_names() -> set[str]:
    names = set()
    for c in CAPS:
        names |= {n for n, v in vars(c).items() if callable(v) and not n.startswith("_")}
    return names


def test_no_call_site_guesses_a_capability_by_name():
    """hasattr/getattr with a capability's method name anywhere in the build or CLI."""
    names, found = _capability_names(), []
    for folder in ("builder", "corpusc", "backends"):
        for p in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in ("hasattr", "getattr") and len(node.args) >= 2
                        and isinstance(node.args[1], ast.Constant) and node.args[1].value in names):
                    found.append(f"{p.relative_to(ROOT)}:{node.lineno} {node.func.id}(..., {node.args[1].value!r})")
    assert names >= {"bind", "manifest_section", "prefetch", "estimate", "over_budget", "batch"}
    assert not found, found
