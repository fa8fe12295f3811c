"""Plugins: the classes an entry-point group names (`corpusc.renderers` here,
`corpusc.backends` in the stage above), built-ins registered in
pyproject.toml exactly as a third party's. One way to find and load them, so
the two registries cannot drift; a plugin's module is imported only when it
is asked for."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable


@lru_cache(maxsize=None)
def entry_points(group: str) -> dict:
    """name -> entry point of `group`; the installed distributions are scanned
    once per group (the first registration of a name wins)."""
    from importlib.metadata import entry_points as scan
    out = {}
    for ep in scan(group=group):
        out.setdefault(ep.name, ep)
    return out


def load(group: str, name: str, kind: str, protocol: type, error: type[Exception],
         missing: Callable[[object], str]) -> object:
    """An instance of the class registered as `name` (KeyError if none is).
    A plugin that does not import or construct, or does not implement
    `protocol`, raises `error` with what is wrong (`missing(obj)`), so `check`
    shows a diagnostic rather than a traceback."""
    ep = entry_points(group).get(name)
    if ep is None:
        raise KeyError(name)
    try:
        obj = ep.load()()
    except Exception as e:  # noqa: BLE001 - a broken plugin becomes a diagnostic, not a traceback
        raise error(f"{kind} `{name}` ({ep.value}) cannot be loaded: {type(e).__name__}: {e}")
    if not isinstance(obj, protocol):
        raise error(f"{kind} `{name}` ({ep.value}) does not implement the {protocol.__name__} protocol: "
                    f"{missing(obj)}")
    return obj
