"""Every sentence a bank template can produce, checked for grammar slips an
outside reader found in built corpora (reader13): the whole bracket product
of each template, not a sample of calls, so a slip hidden in one rare
combination ("also entgeht uns den Großteil nicht", "Should me to block")
fails here before any build says it. Slots stay as `{name}`; spaces and punctuation are tidied as the renderer
tidies them."""
import itertools
import json
import re
from pathlib import Path

import pytest

from corpusc.render.template.language import ALT, SLOT, compile_template, tidy

PHRASES = Path(__file__).resolve().parent.parent / "stdlib" / "phrases"
CAP = 4096  # sentences per template; beyond that a fixed-seed sample of the product

# (locale, what is wrong, pattern over a produced sentence)
SLIPS = [
    ("de-DE", "meaning inverted and wrong case ('entgeht uns den Großteil nicht')", r"\bentgeht uns den\b"),
    ("de-DE", "'sehen wir das meiste' said of a pain (the opposite)", r"\bsehen wir das meiste\b"),
    ("de-DE", "'obwohl' with the verb second", r"\bobwohl (haben|hat|sind|ist|wird|werden|kann|können) (die|der|das|wir|es|sie|ich)\b"),
    ("de-DE", "space before a colon", r"\w :"),
    ("de-DE", "'jeder … ihre eigenen'", r"\bjeder (ausschließlich |nur )?ihre eigenen\b"),
    ("de-DE", "'Beim letzten Anbieter hat …' with no subject", r"\bBeim letzten Anbieter (hat|wurde)\b"),
    ("de-DE", "'Der letzte Anbieter wurde … versprochen'", r"\bDer letzte Anbieter wurde\b"),
    ("de-DE", "a company with a plural verb", r"\bdass \{co\} sich auch \{competitor\} anschauen\b"),
    ("de-DE", "'Die Begeisterung … was er war'", r"Die Begeisterung[^.]{0,60}was er war"),
    ("de-DE", "garbled 'Teams arbeiten die ersten Führungskräfte'", r"Teams (arbeiten|nutzen) die ersten Führungskräfte"),
    ("de-DE", "'aufhalten zurück zu'", r"\baufhalten zurück zu\b"),
    ("de-DE", "double verb 'spricht gerne … sprechen'", r"\bspricht gern(e)? [^.]{0,40} sprechen\b"),
    ("de-DE", "'hat schon zweimal sich' (word order)", r"\bhat (schon|bereits) zweimal sich\b"),
    ("de-DE", "accusative slot after 'zeige' (needs {dm_dat})", r"\{dm\} zeige\b"),
    ("de-DE", "accusative slot after a dative preposition (needs {dm_dat})", r"\b(bei|mit|von|zu|nach|aus|seit) \{dm\}"),
    ("de-DE", "'haben Sie heute heute'", r"\bheute heute\b"),
    ("en-US", "a modal with 'to' ('might to move')", r"\b(might|should|could|would|must) to \w+"),
    ("en-US", "'Should me to'", r"\bShould me to\b"),
    ("en-US", "'Half of X's <plural> is/has'", r"\bHalf of \{co\}'s \{people\} (is|has)\b"),
    ("en-US", "a plural people slot as a noun adjunct ('our brokers leads')", r"\{people\}( leads|'s? team)\b"),
    ("en-US", "a fact said twice in one sentence ('for our 20 reps … for our 20 reps')",
     r"(\{\w+\} \{\w+\})\W.*\W\1(?!\w)|(\b(?:for|at|across|from|to|with) (?:our|your|the) \{\w+\})\W.*\W\2(?!\w)"),
    ("en-US", "two subjects ('and we're they're on board')", r"\b(?:we're|they're|I'm) (?:we're|they're|I'm)\b"),
    ("de-DE", "a fact said twice in one sentence ('für die Makler … für die Makler')",
     r"(\{\w+\} \{\w+\})\W.*\W\1(?!\w)|(\b(?:bei|für|mit|von|zu) (?:unsere[nmr]?|Ihre[nmr]?|die|den|der) \{\w+\})\W.*\W\2(?!\w)"),
]


def _sentences(node, rng) -> list[str]:
    """Every string the compiled template can produce (slots kept), capped by sampling."""
    if isinstance(node, str):
        return [node]
    parts: list[list[str]] = []
    for n in node:
        if isinstance(n, str):
            parts.append([n])
        elif n[0] == SLOT:
            parts.append(["{" + n[1] + "}"])
        elif n[0] == ALT:
            parts.append([s for a in n[1] for s in _sentences(a, rng)])
    total = 1
    for p in parts:
        total *= len(p)
    if total <= CAP:
        return ["".join(c) for c in itertools.product(*parts)]
    return ["".join(rng.choice(p) for p in parts) for _ in range(CAP)]


def _templates(loc: str):
    def walk(x, where):
        if isinstance(x, str):
            if "[" in x or "{" in x or " " in x:
                yield where, x
        elif isinstance(x, list):
            for i, y in enumerate(x):
                yield from walk(y, f"{where}[{i}]")
        elif isinstance(x, dict):
            for k, y in x.items():
                yield from walk(y, f"{where}.{k}")
    for f in sorted((PHRASES / loc).glob("*.json")):
        if f.name == "lexicon.json":
            continue
        yield from walk(json.loads(f.read_text(encoding="utf-8")), f.name)


@pytest.mark.parametrize("loc", ["de-DE", "en-US"])
def test_no_template_produces_a_known_grammar_slip(loc):
    import random
    rng = random.Random(0)
    slips = [(what, re.compile(rx)) for lc, what, rx in SLIPS if lc == loc]
    found: dict[tuple[str, str], str] = {}
    for where, t in _templates(loc):
        try:
            node = compile_template(t)
        except ValueError:
            continue  # not a template (tests/test_banks.py checks the banks' templates compile)
        for s in _sentences(node, rng):
            s = tidy(s)  # as said: spaces and punctuation tidied
            for what, rx in slips:
                if rx.search(s):
                    found.setdefault((where, what), s)
                    break
    assert not found, f"{len(found)} templates produce a slip:\n" + "\n".join(
        f"{w}: {what}: e.g. {s[:160]!r}" for (w, what), s in sorted(found.items()))


def test_the_checker_finds_a_slip_it_is_given():
    """The product really is enumerated: a slip in one rare combination is found."""
    import random
    node = compile_template("[A|B|C] [x|y] [also entgeht uns|also sehen wir] [das meiste|den Großteil nicht].")
    out = _sentences(node, random.Random(0))
    assert len(out) == 24
    assert any(re.search(SLIPS[0][2], s) for s in out)


@pytest.mark.parametrize("loc", ["de-DE", "en-US"])
def test_the_unnamed_decision_maker_belongs_to_no_side(loc):
    """`{dm}` with nobody named is said by the rep and the buyer alike: a
    possessive makes the rep speak of "unsere Geschäftsführung" (his own) when
    he means the buyer's (reader13: 135 seller sentences in a German build)."""
    from corpusc.render.template.banks import raw_bank
    bank = raw_bank(loc)
    for key in ("fallback.dm_name", "fallback.dm_dat"):
        for entry in bank[key]:
            assert not re.match(r"(?i)(our|your|my|unser|ihr|mein)", entry), (loc, key, entry)
