"""Renderers, found through the `corpusc.renderers` entry-point group: the
built-in template renderer is registered in pyproject.toml exactly as a third
party's would be. Nothing is imported until a renderer is asked for."""

from __future__ import annotations

from functools import lru_cache

from corpusc.render import plugins
from corpusc.render.protocol import Renderer

GROUP = "corpusc.renderers"
DEFAULT = "template"


class RendererLoadError(Exception):
    """A registered renderer that cannot be loaded or does not implement the protocol."""


def names() -> tuple[str, ...]:
    """The registered renderers' names, sorted."""
    return tuple(sorted(plugins.entry_points(GROUP)))


@lru_cache(maxsize=None)
def get(name: str) -> Renderer:
    """The renderer registered as `name` (KeyError if none is)."""
    return plugins.load(GROUP, name, "renderer", Renderer, RendererLoadError,
                        lambda _: "it needs name, version, Options, locales, fingerprint, render")
