"""Keyword classifiers of a spec's free text: which topic a persona's own
question or a participant's role is about, which kind of buying signal a signal's text describes, and
whether a participant's name is only a placeholder. The keywords are data, the
`classify` section of the call locale's lexicon (lexicon.py)."""

from __future__ import annotations

from functools import lru_cache

from corpusc.render.template.lexicon import load_lexicon


@lru_cache(maxsize=None)
def _table(locale: str, name: str, label: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    rows = getattr(load_lexicon(locale).classify, name)
    return tuple((tuple(row["keywords"]), row[label]) for row in rows)


def _classify(text: str, table) -> str:
    low = (text or "").lower()
    for keys, label in table:
        if any(k in low for k in keys):
            return label
    return "general"


def signal_category(locale: str, text: str) -> str:
    """`contract`, `security`, `pilot`, ... or `general`: how the seller answers a buying signal."""
    return _classify(text, _table(locale, "signal_categories", "category"))


@lru_cache(maxsize=4096)
def question_topic(locale: str, text: str) -> str:
    """The topic (a `bq.<topic>` bank) of a persona's own question, or `general`."""
    return _classify(text, _table(locale, "question_topics", "topic"))


def signal_categories(locale: str) -> list[str]:
    return [c for _, c in _table(locale, "signal_categories", "category")] + ["general"]


def question_topics(locale: str) -> list[str]:
    return [t for _, t in _table(locale, "question_topics", "topic")] + ["general"]


def placeholder_name(locale: str, name: str) -> bool:
    """Whether a participant's name ("agent", "bot") is a role, not a name to say."""
    return name.lower() in load_lexicon(locale).classify.placeholder_names


@lru_cache(maxsize=1024)
def _role_row(locale: str, role: str) -> dict | None:
    words = set((role or "").lower().replace("/", " ").replace(",", " ").split())
    for row in load_lexicon(locale).classify.role_topics:
        if words & set(row["keywords"]):
            return row
    return None


def role_topics(locale: str, role: str) -> tuple[str, ...]:
    """The `bq.<topic>` banks a participant's role asks about (a CISO security,
    a CFO cost), or none: whole words of the role against the lexicon's
    `role_topics`, first match wins."""
    row = _role_row(locale, role)
    return tuple(row["topics"]) if row else ()


def role_concern(locale: str, role: str) -> str | None:
    """The objection type (`intro.concern.<type>`) a role introduces itself with."""
    row = _role_row(locale, role)
    return row.get("concern") if row else None
