"""Backends, found through the `corpusc.backends` entry-point group: the
built-ins are registered in pyproject.toml exactly as a third party's are.
A backend's module is imported only when a spec names it."""

from __future__ import annotations

from functools import lru_cache

from corpusc.backends.base import Backend
from corpusc.render import plugins

GROUP = "corpusc.backends"
DEFAULT = ("transcripts", "ground_truth")  # what a spec without `emit` builds


class BackendLoadError(Exception):
    """A registered backend that cannot be loaded or does not implement the protocol."""


def names() -> tuple[str, ...]:
    """The registered backends' names, sorted."""
    return tuple(sorted(plugins.entry_points(GROUP)))


@lru_cache(maxsize=None)
def get(name: str) -> Backend:
    """The backend registered as `name` (KeyError if none is)."""
    return plugins.load(GROUP, name, "backend", Backend, BackendLoadError, _missing)


def _missing(obj: object) -> str:
    lacks = [a for a in ("name", "version", "Options", "needs_text", "retimes", "render", "retime", "finish")
             if not hasattr(obj, a)]
    return f"missing {', '.join(lacks)} (subclass corpusc.backends.base.Backend)"
