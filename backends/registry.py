"""Backends, found through the `corpusc.backends` entry-point group: the
built-ins are registered in pyproject.toml exactly as a third party's are.
A backend's module is imported only when a spec names it."""

from __future__ import annotations

from functools import lru_cache

from corpusc.backends.base import Backend

GROUP = "corpusc.backends"
DEFAULT = ("transcripts", "ground_truth")  # what a spec without `emit` builds


class BackendLoadError(Exception):
    """A registered backend that cannot be loaded or does not implement the protocol."""


@lru_cache(maxsize=1)
def _entry_points() -> dict:
    """name -> entry point; the installed distributions are scanned once."""
    from importlib.metadata import entry_points
    out = {}
    for ep in entry_points(group=GROUP):
        out.setdefault(ep.name, ep)
    return out


def names() -> tuple[str, ...]:
    """The registered backends' names, sorted."""
    return tuple(sorted(_entry_points()))


@lru_cache(maxsize=None)
def get(name: str) -> Backend:
    """The backend registered as `name` (KeyError if none is)."""
    ep = _entry_points().get(name)
    if ep is None:
        raise KeyError(name)
    try:
        obj = ep.load()()
    except Exception as e:  # noqa: BLE001 - a broken plugin becomes a diagnostic, not a traceback
        raise BackendLoadError(f"backend `{name}` ({ep.value}) cannot be loaded: {type(e).__name__}: {e}")
    if not isinstance(obj, Backend):
        missing = [a for a in ("name", "version", "Options", "needs_text", "retimes", "render", "retime", "finish")
                   if not hasattr(obj, a)]
        raise BackendLoadError(f"backend `{name}` ({ep.value}) does not implement the Backend protocol: "
                               f"missing {', '.join(missing)} (subclass corpusc.backends.base.Backend)")
    return obj
