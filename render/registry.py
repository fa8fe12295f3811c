"""Renderers, found through the `corpusc.renderers` entry-point group: the
built-in template renderer is registered in pyproject.toml exactly as a third
party's would be. Nothing is imported until a renderer is asked for."""

from __future__ import annotations

from functools import lru_cache

from corpusc.render.protocol import Renderer

GROUP = "corpusc.renderers"
DEFAULT = "template"


class RendererLoadError(Exception):
    """A registered renderer that cannot be loaded or does not implement the protocol."""


@lru_cache(maxsize=1)
def _entry_points() -> dict:
    """name -> entry point; the installed distributions are scanned once."""
    from importlib.metadata import entry_points
    out = {}
    for ep in entry_points(group=GROUP):
        out.setdefault(ep.name, ep)
    return out


def names() -> tuple[str, ...]:
    """The registered renderers' names, sorted."""
    return tuple(sorted(_entry_points()))


@lru_cache(maxsize=None)
def get(name: str) -> Renderer:
    """The renderer registered as `name` (KeyError if none is)."""
    ep = _entry_points().get(name)
    if ep is None:
        raise KeyError(name)
    try:
        obj = ep.load()()
    except Exception as e:  # noqa: BLE001 - a broken plugin becomes a diagnostic, not a traceback
        raise RendererLoadError(f"renderer `{name}` ({ep.value}) cannot be loaded: {type(e).__name__}: {e}")
    if not isinstance(obj, Renderer):
        raise RendererLoadError(f"renderer `{name}` ({ep.value}) does not implement the Renderer protocol "
                                "(name, version, Options, locales, fingerprint, render)")
    return obj
