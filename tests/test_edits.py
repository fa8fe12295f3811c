"""`edits.opcodes` (difflib's opcodes written from a rewrite's common prefix
and suffix where the matcher is certain to align the texts that way) gives
difflib's own opcodes on every text: rewrites of bank texts as the renderer
makes them (an opener, a tail, a name said in plain words, a figure left
out) and short texts of few letters built to make the matcher align them
otherwise (repeats, a span put in or left out next to its own copy)."""

from __future__ import annotations

import random
from difflib import SequenceMatcher

from corpusc.render.template import banks, edits

from .test_render_speed import CASEFIX, _texts


def _difflib(a: str, b: str) -> list:
    return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def _rewrites(rnd: random.Random, texts: list[str], n: int) -> list[tuple[str, str]]:
    """`n` pairs of a bank text (one or several joined) and a rewrite of it:
    words put in, left out or replaced at a random place or a word's edge."""
    words = ["So, ", "you know", "our team", "here", ", right?", "Redfold", "25 ", "the", " ", ".", "e", "at"]
    out = []
    for _ in range(n):
        old = " ".join(rnd.choice(texts) for _ in range(rnd.randrange(1, 4)))
        cuts = [0, len(old)] + [m for m in range(len(old)) if old[m] == " "]
        i = rnd.choice(cuts) if rnd.random() < 0.7 else rnd.randrange(len(old) + 1)
        j = min(len(old), i + rnd.choice([0, 0, 1, 3, 8, 20]))
        put = "".join(rnd.choice(words) for _ in range(rnd.randrange(0, 3)))
        new = old[:i] + put + old[j:]
        if rnd.random() < 0.3:  # a second change elsewhere (a name and a tail)
            k = rnd.randrange(len(new) + 1)
            new = new[:k] + rnd.choice(words) + new[k:]
        out.append((old, new))
    return out


def test_opcodes_of_the_renderers_rewrites_are_difflibs():
    rnd = random.Random(30)
    fast = total = 0
    for loc in banks.supported_locales():
        texts = [t for t in _texts(loc) if t][:3000]
        for old, new in _rewrites(rnd, texts, 3000):
            assert edits.opcodes(old, new) == _difflib(old, new), (old, new)
            total += 1
            fast += edits._one_span(old, new) is not None
    assert fast > 0.6 * total  # most are written without the matcher (else the shortcut is not tested)


def test_opcodes_of_texts_built_to_mislead_the_shortcut_are_difflibs():
    rnd = random.Random(31)
    fast = total = 0
    for _ in range(40_000):
        alpha = rnd.choice(["ab", "abc", "ab ", "abcdefgh. ", "xy. Q", CASEFIX[:4] + "a"])
        old = "".join(rnd.choice(alpha) for _ in range(rnd.randrange(0, 14)))
        if rnd.random() < 0.6:  # one span replaced, put in or left out; its copy may stand beside it
            i = rnd.randrange(len(old) + 1)
            j = rnd.randrange(i, len(old) + 1)
            mid = old[i:j] if rnd.random() < 0.2 else "".join(rnd.choice(alpha + "XY") for _ in range(rnd.randrange(5)))
            new = old[:i] + mid + old[j:] if rnd.random() < 0.8 else old[:i] + mid + mid + old[i:]
        else:
            new = "".join(rnd.choice(alpha) for _ in range(rnd.randrange(0, 14)))
        assert edits.opcodes(old, new) == _difflib(old, new), (old, new)
        total += 1
        fast += edits._one_span(old, new) is not None
    assert 0.3 * total < fast < total  # both ways taken


def test_the_same_text_and_texts_of_nothing_in_common():
    for old, new in [("", ""), ("a", "a"), ("", "ab"), ("ab", ""), ("abc", "xyz"), ("a. b.", "a. b. a. b."),
                     ("have 10 reps", "have reps"), ("the cat sat", "the cat the cat sat")]:
        assert edits.opcodes(old, new) == _difflib(old, new), (old, new)
