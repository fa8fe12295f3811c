"""Backends registered by third parties through the `corpusc.backends` entry-point
group; looked up only when a spec names a backend corpusc does not ship."""

from functools import lru_cache


@lru_cache(maxsize=1)
def third_party_backends() -> dict[str, object]:
    from importlib.metadata import entry_points
    return {ep.name: ep for ep in entry_points(group="corpusc.backends")}
