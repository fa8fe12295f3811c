"""The dynamics' and the turn assembly's shortcuts (render/template/dynamics.py,
lexicon.FillerScan, Drafter.finish) answer exactly as the plain code they replace
(issue 15: faster, byte-identical). Speed itself is measured in
benchmarks/bench_render.py, never here."""

from __future__ import annotations

import random
import re

import pytest

from corpusc.render.template import dynamics as D
from corpusc.render.template.lexicon import _WORD, filler_pattern

from .test_core_speed import FILLER_PIECES
from .test_engine import EXAMPLES, plan_of, render_all
from .test_render_speed import _spoken_texts

LOCALES = ("en-US", "de-DE")


def _plain_stays(text: str, pos: int, added: int) -> bool:
    m = D._ENDS.search(text, pos)
    end = m.end() if m else len(text)
    start = max(text.rfind(". ", 0, pos), text.rfind("? ", 0, pos), text.rfind("! ", 0, pos),
                text.rfind("… ", 0, pos)) + 1
    n = len(D._WORDS.findall(text, start, end))
    return n >= D.WHOLE_WORDS or n + added < D.WHOLE_WORDS


# word characters, the joiners `_WORDS` takes inside a word (and leaves alone at its edges), a digit that is
# no decimal (²), a combining accent, `_`, stops and their spaces
WORDY = ["ab", "x", "1", "_", "²", "é", "\u0301", "'", "’", "-", "--", " ", " ", ". ", "? ", "! ", "… ", ",", "."]


def test_at_least_k_words_is_the_findall_count():
    """`_AT_LEAST[k]` matches a range exactly when `_WORDS.findall` finds k or
    more words in it: a word is never split to make up the count."""
    rnd = random.Random(3)
    seen = set()
    for _ in range(40000):
        text = "".join(rnd.choice(WORDY) for _ in range(rnd.randint(0, 30)))
        a = rnd.randint(0, len(text))
        b = rnd.randint(a, len(text))
        n = len(D._WORDS.findall(text, a, b))
        for k in range(D.WHOLE_WORDS + 1):
            assert (D._AT_LEAST[k](text, a, b) is not None) == (n >= k), (text, a, b, k)
        seen.add(min(n, D.WHOLE_WORDS))
    assert seen == set(range(D.WHOLE_WORDS + 1))  # every count was met


def test_a_sentence_stays_on_its_side_as_the_full_count_says():
    """`_stays` (no count for a word-less insertion, the words counted only as
    far as the answer needs) answers as counting every word of the sentence
    did, for any position and any number of added words."""
    rnd = random.Random(4)
    texts = _spoken_texts(2)[:600] + ["".join(rnd.choice(WORDY) for _ in range(rnd.randint(0, 30)))
                                      for _ in range(6000)]
    answers = set()
    for text in texts:
        for pos in {0, len(text) // 3, len(text) // 2, len(text), rnd.randint(0, len(text))}:
            for added in range(-1, D.WHOLE_WORDS + 2):
                want = _plain_stays(text, pos, added)
                assert D._stays(text, pos, added) == want, (text, pos, added)
                answers.add((added, want))
    assert {(1, True), (1, False), (3, False), (D.WHOLE_WORDS, True), (D.WHOLE_WORDS, False)} <= answers


def _outside(spans, taken):
    return [(s, e) for s, e in spans if not any(a < e and s < b for a, b in taken)]


@pytest.mark.parametrize("locale", LOCALES)
def test_fillers_besides_the_taken_are_never_ruled_out(locale):
    """`FillerScan.may_besides` says False only when every match of the pattern
    overlaps a taken span: on texts built to defeat it (case folds, other
    whitespace, fillers glued to words, tags after commas), with the taken
    spans some of the matches (as the dynamics' own fillers are), pieces of
    them, and random spans; both answers are given."""
    f = filler_pattern(locale)
    rnd = random.Random(17)
    pieces = FILLER_PIECES + [", ", ". ", " ", "? "] * 4  # more fillers set off as the pattern wants them
    shortcut = outside = 0
    for _ in range(40000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12)))
        spans = [m.span() for m in f.pattern.finditer(text)]
        taken = [sp for sp in spans if rnd.random() < 0.6]
        for _ in range(rnd.randint(0, 2)):
            a = rnd.randint(0, len(text))
            taken.append((a, rnd.randint(a, len(text))))
        if taken and rnd.random() < 0.2:  # a taken span may cover only part of a filler
            a, b = taken[0]
            taken[0] = (a + 1, b) if b - a > 1 else (a, b)
        got = f.may_besides(text, taken)
        if _outside(spans, taken):
            assert got, (text, taken, spans)
            outside += 1
        shortcut += f.may(text) and not got
    assert outside > 1000 and shortcut > 3000  # both sides: a filler outside, one ruled out though `may` said maybe


@pytest.mark.parametrize("locale", LOCALES)
def test_single_fillers_are_whole_words_so_their_hits_never_overlap(locale):
    """`may_besides` sees every hit of `singles` with `finditer` because a hit
    is a whole run of word characters: a filler word with another character
    ("mm.hm") would need another scan."""
    f = filler_pattern(locale)
    words = [w for w in re.findall(r"\(\?<!" + re.escape(_WORD) + r"(.*?)\)", f.singles.pattern)]
    assert words and all(re.fullmatch(rf"{_WORD}+", w.replace("\\", "")) for w in words), words


@pytest.mark.parametrize("locale", LOCALES)
def test_a_part_s_filler_is_one_the_turn_says(locale):
    """Drafter.finish scans a turn's parts only when `may` says the whole turn
    may say a filler: whatever a part says alone (a filler opening it, one at
    its end) the parts joined say too."""
    f = filler_pattern(locale)
    rnd = random.Random(23)
    found = 0
    for _ in range(20000):
        parts = ["".join(rnd.choice(FILLER_PIECES) for _ in range(rnd.randint(1, 4))) for _ in range(rnd.randint(1, 4))]
        if any(list(f.finditer(p)) for p in parts):
            assert f.may(" ".join(parts)), parts
            found += 1
    assert 2000 < found < 20000


def test_made_fillers_label_what_the_full_scan_labels(monkeypatch):
    """On rendered calls of both examples, `_made_fillers` labels exactly what
    scanning the whole turn with the pattern labels (the turns it is asked of
    carry the dynamics' own fillers)."""
    plain_calls = []
    real = D._made_fillers

    def both(t, fillers):
        dis = [list(x) for x in t.dis]
        for m in fillers.pattern.finditer(t.text):
            s, e = m.span()
            if not any(x[1] < e and s < x[2] for x in dis if x[0][0] != "_"):
                dis.append([D.OWN, s, e])
        real(t, fillers)
        assert t.dis == dis, t.text
        plain_calls.append(bool(t.dis))
    monkeypatch.setattr(D, "_made_fillers", both)
    for spec in ("sales_pov.corpus", "contact_center.corpus"):
        h, calls = plan_of(EXAMPLES / spec, n=6)
        render_all(h, calls)
    assert len(plain_calls) > 50


# pieces of fillers that an edit can complete ("w" + "ell,"), whole ones, and what sets them off
# and the longest phrases but a letter at either end, which a changed character completes
EDIT_PIECES = FILLER_PIECES + ["w", "ell", "ell,", "u", "m,", "mm", "h", "ä", "al", "so,", "tj", "a,", "İ", "Ä",
                               "you kno", "ou know", ", you kno", "kind o", "sagen wir ma", "agen wir mal",
                               ", sagen wir ma", "wissen Si", "issen Sie", "sag ich ma"]


@pytest.mark.parametrize("locale", LOCALES)
def test_fillers_near_the_edits_are_all_the_new_ones(locale):
    """A turn whose words as put together say no filler keeps where the
    dynamics changed it (`Spoken.edits`: inserts, a re-cased or replaced
    character, words cut before it), and `may_besides` looks only there: on
    random texts and random edits of every kind, including ones that complete
    a filler with the words beside them ("w" + "ell,") or cut the text before
    one, it never rules out a filler outside the taken spans that the whole
    text's scan finds."""
    from types import SimpleNamespace
    f = filler_pattern(locale)
    rnd = random.Random(29)
    d = SimpleNamespace(p=SimpleNamespace(id="a"), bc=False)
    outside = narrow = 0
    for _ in range(30000):
        text = "".join(rnd.choice(EDIT_PIECES) for _ in range(rnd.randint(1, 8)))
        if f.may(text):
            continue
        head = rnd.randint(1, len(text)) if rnd.random() < 0.3 else 0
        t = D.Spoken(d, text, {}, [], head)
        t.edits = []
        for _ in range(rnd.randint(0, 4)):
            op, n = rnd.random(), len(t.text)
            if op < 0.55:
                s = "".join(rnd.choice(EDIT_PIECES) for _ in range(rnd.choice([1, 1, 1, 6]))) + rnd.choice(["", " ", ", "])
                pos = rnd.randint(0, n)
                t.insert(pos, s, ("filler", 0, len(s)) if rnd.random() < 0.25 else None)
            elif op < 0.8 and n:
                pos = rnd.randrange(n)
                c = t.text[pos]
                t.changed(t.text[:pos] + rnd.choice([c.lower(), c.upper(), "—", "l", "m", "w", "y", "s", "e", " ", ","])
                          + t.text[pos + 1:], pos)
            elif t.head:
                t.drop_head()
        taken = [(x[1], x[2]) for x in t.dis if x[0][0] != "_"]
        spans = [m.span() for m in f.pattern.finditer(t.text)]
        got = f.may_besides(t.text, taken, t.edits)
        if _outside(spans, taken):
            assert got, (text, t.text, taken, t.edits)
            outside += 1
        if t.edits is not None:  # the windows left some of the text unread
            seen = set()
            for a, b in t.edits:
                seen.update(range(max(0, a - f.reach), b + f.reach))
            narrow += not seen >= set(range(len(t.text)))
    assert outside > 150 and narrow > 3000, (outside, narrow)


def test_edits_cover_every_character_not_as_put_together():
    """`Spoken.edits` holds every character the dynamics wrote (inserted or
    changed), and the text outside them reads as the turn did when put
    together: two neighbours there were neighbours then, and the text's first
    character is its first then unless an edit says it is not. Followed
    character by character beside the Spoken on random inserts (long ones
    inside earlier ones too), changes and cut heads."""
    from types import SimpleNamespace
    rnd = random.Random(31)
    d = SimpleNamespace(p=SimpleNamespace(id="a"), bc=False)
    inside = 0
    for _ in range(6000):
        text = "".join(rnd.choice("abc de,") for _ in range(rnd.randint(1, 30)))
        head = rnd.randint(1, len(text)) if rnd.random() < 0.3 else 0
        t = D.Spoken(d, text, {}, [], head)
        t.edits = []
        origin: list[int | None] = list(range(len(text)))  # where each character was when put together
        for _ in range(rnd.randint(1, 6)):
            op, n = rnd.random(), len(t.text)
            if op < 0.6:
                s = "".join(rnd.choice("XYZ ") for _ in range(rnd.choice([1, 2, 12, 30])))
                pos = rnd.randint(0, n)
                inside += any(a < pos < b for a, b in t.edits)
                t.insert(pos, s)
                origin[pos:pos] = [None] * len(s)
            elif op < 0.85 and n:
                pos = rnd.randrange(n)
                t.changed(t.text[:pos] + "Q" + t.text[pos + 1:], pos)
                origin[pos] = None
            elif t.head:
                cut = len(origin) - (len(t.text) if t.drop_head() else len(origin))
                origin = origin[cut:]
        assert len(origin) == len(t.text)
        covered = {i for a, b in t.edits for i in range(a, b)}
        for i, o in enumerate(origin):
            assert o is not None or i in covered, (text, t.text, t.edits)
            if i + 1 < len(origin) and i not in covered and i + 1 not in covered:
                assert origin[i + 1] == o + 1, (text, t.text, t.edits)
        if origin and 0 not in covered and [0, 0] not in t.edits:
            assert origin[0] == 0, (text, t.text, t.edits)
    assert inside > 1000  # inserts inside an earlier one were made


def test_a_words_end_by_the_last_space_is_the_word_the_search_finds():
    """`_ends_phrase` on a text without a newline takes the word after the last
    space before the position when only a word's characters follow it: the
    word `[\\w'’-]+$` finds over the 40 characters before the position,
    within them (a word longer than 40 characters cut), before another
    character than a space ("(we", "—we", "2,5"), with binds and digits."""
    binds = frozenset({"the", "of", "to"})
    rnd = random.Random(37)

    def plain(text, pos):
        m = D._WORD.search(text, max(0, pos - 40), pos)
        return m is not None and m.group(0).lower() not in binds and not any(ch.isdigit() for ch in m.group(0))
    seen = set()
    for _ in range(4000):
        text = "".join(rnd.choice(["a", "the", "of", "To", "x" * 30, " ", " ", ",", "'", "’", "-", "1", "(", "—", "é"])
                       for _ in range(rnd.randrange(0, 30)))
        for pos in range(len(text) + 1):
            got = D._ends_phrase(text, pos, binds)
            assert got == plain(text, pos), (text, pos)
            seen.add(got)
    assert seen == {True, False}


def test_no_letter_is_a_digit():
    """`_ends_phrase` looks for a digit only in a word that is not all letters:
    no character of this Python's Unicode is both."""
    import sys
    assert not [c for c in map(chr, range(sys.maxunicode + 1)) if c.isalpha() and c.isdigit()]
    assert "²".isdigit() and not "²".isalpha()  # a digit that is no letter nor decimal: still looked for


def test_the_last_stop_looked_for_back_is_the_last_rfind_finds():
    """`_stays` finds a sentence's start with one greedy match back from the
    position (`_LAST_STOP`): the largest of the four stops' `rfind` plus one,
    0 when none; on random texts with every stop, stops without their space,
    newlines and stops at either end."""
    rnd = random.Random(43)
    seen = set()
    for _ in range(20000):
        text = "".join(rnd.choice([". ", "? ", "! ", "… ", ".", "?", "…", " ", "\n", ".\n", "a", "bc"])
                       for _ in range(rnd.randint(0, 12)))
        for pos in range(len(text) + 1):
            want = max(text.rfind(". ", 0, pos), text.rfind("? ", 0, pos), text.rfind("! ", 0, pos),
                       text.rfind("… ", 0, pos)) + 1
            m = D._LAST_STOP(text, 0, pos)
            assert (m.end() - 1 if m is not None else 0) == want, (text, pos)
            seen.add(want > 0)
    assert seen == {True, False}


def test_a_clock_s_free_values_are_those_it_gave_looking_at_each_value():
    """`timing.Clock.free` (one look in the values near those used) gives the
    values the look at each used value within DISTINCT_MS gave, for random
    requests with and without a lower bound, crowded and sparse."""
    from corpusc.render.timing import DISTINCT_MS, Clock

    def plain(used, ms, lo):
        ms = max(lo, ms)
        step = 0
        while True:
            for cand in ((ms + step, ms - step) if step else (ms,)):
                if cand >= lo and used.isdisjoint(range(cand + 1 - DISTINCT_MS, cand + DISTINCT_MS)):
                    used.add(cand)
                    return cand
            step += 1
    rnd = random.Random(47)
    moved = 0
    for _ in range(2000):
        c, used = Clock(), set()
        width = rnd.choice([10, 60, 1000])
        for _ in range(rnd.randint(1, 30)):
            ms, lo = rnd.randint(0, width), rnd.choice([0, 0, rnd.randint(0, width)])
            got = c.free(ms, lo)
            assert got == plain(used, ms, lo), (ms, lo, used)
            moved += got != max(ms, lo)
        assert c.used == used
    assert moved > 1000


def test_words_counted_without_splitting_are_those_split_makes():
    """`timing._count_words` counts a printable text's words by its spaces:
    no character but the space is both whitespace and printable, and on
    random texts of every whitespace, doubled and edge spaces, and words it
    counts what `len(text.split())` counts."""
    import sys
    from corpusc.render.timing import _count_words
    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
    assert [c for c in spaces if c.isprintable()] == [" "]
    rnd = random.Random(53)
    pieces = spaces + [" "] * 20 + ["ab", "c", "é", "—", ",", "x" * 5] * 10
    fast = 0
    for _ in range(40000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        assert _count_words(text) == len(text.split()), repr(text)
        fast += bool(text) and text.isprintable() and "  " not in text and text.strip(" ") == text
    assert fast > 1000


def test_before_words_found_in_an_ascii_lower_case_are_those_found_ignoring_case():
    """`_before`'s third pattern, searched in an ASCII text's lower case, finds
    exactly the matches of the IGNORECASE one in the text (with the start and
    end `_first` gives): on both locales' patterns as the rendered calls made
    them, their turns and random ASCII texts of the words in any case, with
    what follows them or not. The pattern's characters beyond ASCII match no
    ASCII one ignoring case; the ones left out (İ, ı, ſ, K) would."""
    from corpusc.render.template import banks
    rnd = random.Random(59)
    texts = [t for t in _spoken_texts(2) if t.isascii()]  # renders both locales' calls: `_before` made for each
    assert set(LOCALES) <= set(D._BEFORE)
    checked = 0
    for loc in LOCALES:
        pat, _, low = D._BEFORE[loc]
        assert low is not None, loc
        for c in set(low.pattern) - set(map(chr, range(128))):
            assert not any(re.fullmatch(re.escape(c), chr(a), re.I) for a in range(128)), c
        words = [str(w) for w in banks.load_bank(loc).get("dyn.before") or ()] + ["i", "k", "s", "x", "and the", "1"]
        pieces = words + [w.upper() for w in words] + [w.title() for w in words] + [" ", " ", " ", ", ", ". ", "-"]
        rand = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 14))) for _ in range(6000)]
        for text in texts + [t for t in rand if t.isascii()]:
            low_text = text.lower()
            for a in {0, rnd.randint(0, len(text)), len(text)}:
                want = [m.span() for m in pat.finditer(text, a)] + [m.span() for m in pat.finditer(text, 0, a)]
                got = [m.span() for m in low.finditer(low_text, a)] + [m.span() for m in low.finditer(low_text, 0, a)]
                assert got == want, (loc, text, a)
                checked += bool(want)
    assert checked > 3000
    assert all(any(re.fullmatch(re.escape(c), chr(a), re.I) for a in range(128)) for c in D._FOLDS_TO_ASCII)


def test_a_habit_s_last_sentence_starts_where_rfind_says():
    """`habits._say` finds the last sentence's start with one greedy match back
    (`habits._LAST_STOP`): after the largest of the three stops' `rfind`, 0
    when none; on random texts of stops, stops without their space, "…",
    newlines and words."""
    from corpusc.render.template import habits
    rnd = random.Random(61)
    seen = set()
    for _ in range(20000):
        text = "".join(rnd.choice([". ", "? ", "! ", "… ", ".", "?", "!", " ", "\n", "a", "bc"])
                       for _ in range(rnd.randint(0, 12)))
        for end in range(len(text) + 1):
            cut = max(text.rfind(". ", 0, end), text.rfind("? ", 0, end), text.rfind("! ", 0, end))
            m = habits._LAST_STOP(text, 0, end)
            assert (m.end() if m is not None else 0) == (cut + 2 if cut >= 0 else 0), (text, end)
            seen.add(cut >= 0)
    assert seen == {True, False}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_least_phrases_say_what_all_the_phrases_say(locale):
    """`FillerScan.may` looks only for the phrases that hold no other
    (`least`): a text says one of them exactly when it says one of all the
    phrases, on random texts of the phrases, their pieces and words."""
    f = filler_pattern(locale)
    assert len(f.least) < len(f.phrases)  # some phrase holds another: the test can fail
    rnd = random.Random(67)
    pieces = list(f.phrases) + [p[:len(p) // 2] for p in f.phrases] + [p[len(p) // 2:] for p in f.phrases] + \
        [" ", ", ", "a", "x"]
    said = 0
    for _ in range(30000):
        low = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6)))
        want = any(p in low for p in f.phrases)
        assert any(p in low for p in f.least) == want, low
        said += want
    assert 3000 < said < 29000
