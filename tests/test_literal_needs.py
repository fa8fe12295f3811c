"""tests/literal_needs.py: the literals it names for a pattern are held by
every match of it (the bank checks skip texts that hold none), checked on
matches written here, apart from the patterns' own reading."""

from __future__ import annotations

import re

import pytest

from .literal_needs import folds, needs

# (pattern, texts it matches): the match of each must hold one of needs(pattern)
CASES = [
    (r"\bentgeht uns den\b", ["also entgeht uns den Großteil nicht"]),
    (r"\b(?:mein|unser|das) Team (?:müssten|wollen|sind)\b|\bmeine Leute würde\b",
     ["weil mein Team müssten", "dann unser Team sind", "und meine Leute würde das"]),
    (r"(\{\w+\} \{\w+\})\W.*\W\1(?!\w)|(\b(?:for|at|across) (?:our|your|the) \{\w+\})\W.*\W\2(?!\w)",
     ["for our {reps} and for our {reps}", "{a} {b}, so {a} {b}", "across the {teams} ... across the {teams}"]),
    (r"\bhat (schon|bereits) zweimal sich\b", ["er hat bereits zweimal sich"]),
    (r"\bhabe? (?:die|den) \w+ mir\b|\bhabe? (?:es|den \w+) [^.,]*\b(?:durchgelesen|geprüft) mir\b",
     ["ich hab die Unterlagen mir", "ich habe es gestern geprüft mir"]),
    (r"\bspricht gern(e)? [^.]{0,40} sprechen\b", ["sie spricht gerne mit uns darüber sprechen"]),
    (r"a\bb|x[yz]w", ["xzw", "xyw"]),
    (r"(ab|c)d", ["abd", "cd"]),
]


@pytest.mark.parametrize("pattern,texts", CASES)
def test_every_match_holds_a_named_literal(pattern, texts):
    rx = re.compile(pattern)
    lits = needs(rx)
    assert lits, pattern
    for text in texts:
        m = rx.search(text)
        assert m, (pattern, text)
        assert any(lit in m.group(0) for lit in lits), (pattern, text, lits)


def test_case_insensitive_patterns_fold_or_name_none():
    rx = re.compile(r"We\s*worked\s*with .+? (?:clients|customers)", re.I)
    assert needs(rx) is None  # without fold: a literal's case says nothing of the text's
    lits = needs(rx, fold=True)
    for text in ["WE WORKED WITH a few CLIENTS", "we worked with some Customers"]:
        assert rx.search(text) and folds(text) and any(lit in text.lower() for lit in lits), (text, lits)
    assert not folds("Straſse")  # the regex engine pairs ſ with s, str.lower does not: no folding there
    assert needs(re.compile(r"Stra\u017fse", re.I), fold=True) is None


def test_a_pattern_that_names_no_literal_gets_none():
    for pattern in (r"\w+", r"x|y?", r"[^.]*"):
        assert needs(re.compile(pattern)) is None, pattern
    assert needs(re.compile("a\nb")) is None  # the texts are joined by line breaks: no literal may hold one
