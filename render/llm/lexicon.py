"""Per-locale verification data (`lexicon/<locale>.json`): the polar words a
moment's turn is checked against, the words that show each beat kind, the
fictional ranges personal data must stay in. Locale knowledge is data: a new
locale is a new file, no code."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

FOLDER = Path(__file__).parent / "lexicon"


class PersonalData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    email_domains: tuple[str, ...]
    phone_hint: str  # the fictional ranges, as the prompt states them
    phone_fictional: tuple[str, ...]  # regexes over the number as written
    forbidden: dict[str, str]  # what it is -> a regex


class Beats(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    objection: dict[str, tuple[str, ...]]  # objection type -> words; a type not listed is checked by the judge
    reference: tuple[str, ...]
    next_steps: tuple[str, ...]
    close: tuple[str, ...]


class Lexicon(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    locale: str
    language: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    negators: tuple[str, ...]
    beats: Beats
    personal_data: PersonalData

    @property
    def phone_examples(self) -> str:
        return self.personal_data.phone_hint


def locales() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in FOLDER.glob("*.json")))


def data_locale(locale: str) -> str | None:
    """The lexicon a call in `locale` is checked with: its own, else one of the same language."""
    have = locales()
    if locale in have:
        return locale
    lang = locale.split("-")[0].lower()
    return next((x for x in have if x.split("-")[0].lower() == lang), None)


@lru_cache(maxsize=None)
def load(locale: str) -> Lexicon:
    loc = data_locale(locale) or locale
    data = json.loads((FOLDER / f"{loc}.json").read_text(encoding="utf-8"))
    return Lexicon(locale=loc, **{k: v for k, v in data.items() if not k.startswith("_")})


@lru_cache(maxsize=None)
def phone_patterns(locale: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in load(locale).personal_data.phone_fictional)
