"""Literals every match of a pattern holds one of: a check that runs
patterns over many texts (every reading of every bank template) asks a
pattern only of the texts that hold one, found by a plain `in` over the texts
joined by line breaks, far faster than a search that starts with a word
boundary (re tries such a pattern at every position)."""

from __future__ import annotations

import re


def needs(rx: re.Pattern, fold: bool = False) -> tuple[str, ...] | None:
    """Literals one of which every match of `rx` holds (a plain `in` finds
    them far faster than a search that starts with a word boundary), or None
    where the pattern names none: the texts a run of its items can match
    when that run is literal choices ("(?:our|your|the) \\{" -> "our {",
    "your {", "the {"; a zero-width anchor between them takes no text), in
    its sequence of items or a group's, or those of each alternative of a
    branch; of the candidates, the one whose shortest literal is longest.
    Any literal with a line break (the sentences are joined by them) names
    none. A case-insensitive pattern names none, or with `fold` its literals
    lower-cased, to be looked for in the lower-cased text where `folds(text)`
    (a match of a literal there is the same letters lower-cased)."""
    from re import _constants as C, _parser as P
    cap = 64

    def exact(items) -> set[str] | None:  # every text the items can match, when they are literal choices
        out = {""}
        for op, av in items:
            if op is C.AT:
                continue
            if op is C.LITERAL:
                got = {chr(av)}
            elif op is C.SUBPATTERN and (fold or not av[1] & re.I):
                got = exact(av[-1])
            elif op is C.BRANCH:
                alts = [exact(b) for b in av[1]]
                got = set().union(*alts) if all(x is not None for x in alts) else None
            elif op is C.IN and all(o is C.LITERAL for o, _ in av):
                got = {chr(x) for _, x in av}
            else:
                return None
            if got is None:
                return None
            out = {x + y for x in out for y in got}
            if len(out) > cap:
                return None
        return out

    def seq(items) -> tuple[str, ...] | None:
        best: tuple[str, ...] | None = None

        def take(opt):
            nonlocal best
            if opt and all(opt) and (best is None or min(map(len, opt)) > min(map(len, best))):
                best = tuple(sorted(opt))
        run: set[str] = {""}
        for item in list(items) + [(None, None)]:
            op, av = item
            got = exact([item]) if op is not None else None
            if got is not None and len(run) * len(got) <= cap:
                run = {x + y for x in run for y in got}
                continue
            take(run)
            run = got if got is not None else {""}
            if got is None and op is C.SUBPATTERN and (fold or not av[1] & re.I):
                take(seq(av[-1]))
            elif got is None and op is C.BRANCH:
                alts = [seq(b) for b in av[1]]
                take(tuple(x for a in alts for x in a) if all(alts) else None)
        return best
    if rx.flags & re.I and not fold:
        return None
    got = seq(P.parse(rx.pattern, rx.flags))
    if got is not None and fold:
        if not all(folds(x) for x in got):
            return None
        got = tuple(sorted({x.lower() for x in got}))
    return None if got is None or any("\n" in x for x in got) else got


def folds(text: str) -> bool:
    """Whether `text` lower-cased holds what a case-insensitive match in it
    holds, letter for letter: no character of `signals._CASEFIX` (those the
    regex engine pairs beyond `str.lower`, or whose lower case is longer)."""
    from corpusc.render.template.signals import _CASEFIX
    return text.isascii() or bool(_CASEFIX) and _CASEFIX.isdisjoint(text)
