"""Keyword classifiers of a spec's free text: which topic a persona's own
question is about, which kind of buying signal a signal's text describes, and
whether a participant's name is only a placeholder. The keywords are data,
`stdlib/phrases/prose.json`, in the language that text is written in."""

from __future__ import annotations

import json
from functools import lru_cache

from corpusc.render.template.lexicon import PHRASES

PROSE_FILE = "prose.json"


@lru_cache(maxsize=None)
def _prose() -> dict:
    return json.loads((PHRASES / PROSE_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _table(name: str, label: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    return tuple((tuple(row["keywords"]), row[label]) for row in _prose()[name])


def _classify(text: str, table) -> str:
    low = (text or "").lower()
    for keys, label in table:
        if any(k in low for k in keys):
            return label
    return "general"


def signal_category(text: str) -> str:
    """`contract`, `security`, `pilot`, ... or `general`: the seller's answer to a buying signal."""
    return _classify(text, _table("signal_categories", "category"))


def question_topic(text: str) -> str:
    """The topic (a `bq.<topic>` bank) of a persona's own question, or `general`."""
    return _classify(text, _table("question_topics", "topic"))


def signal_categories() -> list[str]:
    return [c for _, c in _table("signal_categories", "category")] + ["general"]


def question_topics() -> list[str]:
    return [t for _, t in _table("question_topics", "topic")] + ["general"]


def placeholder_name(name: str) -> bool:
    """Whether a participant's name ("agent", "bot") is a role, not a name to say."""
    return name.lower() in _prose()["generic_agent_names"]
