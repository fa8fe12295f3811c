"""Rules of a locale that are code, registered by locale tag. The spec's free
text (stdlib personas, objections, resolutions, signals) is English: a locale
registered in `RESTATE` says that text in place, restated by its rules; any
other locale speaks from its phrase banks alone."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from corpusc.render.template.english import English
from corpusc.render.template.lexicon import load_lexicon

RESTATE: dict[str, Callable] = {"en-US": English}


@lru_cache(maxsize=None)
def restater(locale: str) -> English | None:
    """The rules restating spec prose in `locale`, or None: quote nothing."""
    make = RESTATE.get(locale)
    return make(load_lexicon(locale).restate) if make is not None else None
