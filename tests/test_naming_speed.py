"""The shortcuts of naming.py and habits.py answer exactly as the plain code
they replace (issue 14/15: faster, byte-identical): each is compared here with
that plain code, kept in this file, on many texts built to defeat it. Speed
itself is measured in benchmarks/, never here."""

from __future__ import annotations

import copy
import random
import re
from types import SimpleNamespace

from corpusc.render.template import banks, habits, naming
from corpusc.render.template.drafting import Draft
from corpusc.render.template.lexicon import load_lexicon
from corpusc.render.template.signals import text_categories

from .test_render_speed import CASEFIX, _texts

# account names with every edge a pattern may trip on: a short name inside the full one or not, regex
# characters, non-word first or last characters, digits, non-ASCII letters, one name the prefix of the other
NAMES = [("Redfold Logistics", "Redfold"), ("A.B. & Co (Nord)", "A.B."), ("O'Neil", "O'Neil"), (".io Labs", ".io"),
         ("Zoë Care", "Zoë"), ("Nordwerk 24", "Nordwerk"), ("_x_", "_x_"), ("Co-op Plus", "Co-op"), ("Abc", "Ab"),
         ("a+b (c)", "a+b"), ("Σίγμα", "Σίγμα"), ("Stonewind", "Stonewind"), ("24/7 Care", "24/7"), ("Ab", "Abc"),
         ("Northwell Group", "Acme")]
FIGURES = ["25", "zwei", "1,200", "40", "$5", "5%", ".5", "two hundred", "_7", "١٢"]


def _said_in(rnd: random.Random, texts: list[str], words: list[str], n: int) -> list[str]:
    """`n` texts, each a bank text with `words` said in it at random places:
    alone, glued to letters, digits, dots or apostrophes, doubled, odd-cased."""
    glue = ["", "", " ", "x", "9", ".", "'s", "’s", "_", "-", "(", ")", "é", "Σ", rnd.choice(CASEFIX)]
    out = []
    for _ in range(n):
        ws = rnd.choice(texts).split(" ")
        for _ in range(rnd.randrange(1, 4)):
            w = rnd.choice(words)
            w = rnd.choice([w, w, w, w.lower(), w.upper(), w + w, w[:-1] or w, w[1:] or w])
            ws.insert(rnd.randrange(len(ws) + 1), rnd.choice(glue) + w + rnd.choice(glue))
        out.append(" ".join(ws) if rnd.random() < 0.8 else "".join(ws))
    return out


def _same_matches(old: re.Pattern, new: re.Pattern, texts: list[str]) -> int:
    """Assert both patterns find the same matches (spans and groups) in every text; the texts with one."""
    hit = 0
    for t in texts:
        want = [(m.span(), m.groups()) for m in old.finditer(t)]
        assert [(m.span(), m.groups()) for m in new.finditer(t)] == want, (old.pattern, new.pattern, t)
        assert (new.search(t) is None) == (old.search(t) is None) and new.findall(t) == old.findall(t)
        hit += bool(want)
    return hit


def test_a_mention_pattern_opening_with_its_literal_finds_what_the_boundary_pattern_finds():
    """`naming._said` (each name first, the `\\b` before it checked by a
    lookbehind) finds the matches `\\b(?:name|short)\\b` finds, for names of
    every edge, in bank texts with the names said glued to letters, digits
    and punctuation; so do the stand-ins' pattern and a rule set's."""
    rnd = random.Random(20)
    texts = [s for loc in banks.supported_locales() for s in _texts(loc)[:3000]]
    hits = checked = 0
    for company, short in NAMES + [naming._STAND]:
        names = tuple(dict.fromkeys(x for x in (company, short) if x))
        old = re.compile(rf"\b(?:{'|'.join(re.escape(x) for x in names)})\b")
        said_in = _said_in(rnd, texts, list(names), 1500)
        hits += _same_matches(old, naming._said(names), said_in)
        checked += len(said_in)
    assert 0.1 * checked < hits < checked  # texts with and without a mention


def test_head_count_patterns_opening_with_their_figure_find_what_the_boundary_patterns_find():
    """`naming._count_plan`'s patterns (the figure first) find the matches of
    `\\b{n} (?:{noun})\\b`, of the two figures' alternation and of
    `(?<!\\w){n}(?!\\w)`, for odd figures and people words, in each locale."""
    rnd = random.Random(21)
    hits = 0
    for loc in banks.supported_locales():
        data = load_lexicon(loc).headcount_refs or {}
        if not data:
            continue
        texts = _texts(loc)[:3000]
        for k, n in enumerate(FIGURES):
            m = FIGURES[(k + 3) % len(FIGURES)]
            people, people_dat = ("patient access reps", "") if k % 2 else ("Leute (Nord)", "Leuten")
            both, plans = naming._count_plan(data, people, people_dat, (n, m))
            nouns = [people, people_dat] + list(data.get("nouns", ()))
            noun = "|".join(re.escape(x) for x in sorted(dict.fromkeys(x for x in nouns if x), key=len, reverse=True))
            words = [f"{x} {rnd.choice([y for y in nouns if y])}" for x in (n, m) for _ in range(3)] + [n, m]
            said_in = _said_in(rnd, texts, words, 800)
            old_both = re.compile("|".join(rf"\b{re.escape(x)} (?:{noun})\b" for x in (n, m)))
            hits += _same_matches(old_both, both, said_in)
            for x, said, token, _, _ in plans:
                hits += _same_matches(re.compile(rf"\b{re.escape(x)} (?:{noun})\b"), said, said_in)
                hits += _same_matches(re.compile(rf"(?<!\w){re.escape(x)}(?!\w)"), token, said_in)
                assert [token.sub(naming._FIGURE, t) for t in said_in] == \
                    [re.sub(rf"(?<!\w){re.escape(x)}(?!\w)", naming._FIGURE, t) for t in said_in]
    assert hits > 5000


def _rewrite_plain(S, drafts, said, gap, change, needs=()) -> None:
    """naming._rewrite as it was (d46492f): every segment searched in turn."""
    R = S.R
    keep = S.keep
    kept = 0
    need0 = needs[0] if needs else ""
    need1 = needs[-1] if needs else ""
    since = gap
    for d in drafts:
        side = "seller" if d.side == "seller" else "buyer"
        for part in (d.head, d.core, d.body, d.tail):
            for k, (text, tags, opt) in enumerate(part):
                if (needs and need0 not in text and need1 not in text) or not said.search(text):
                    since += text.count(" ") + 1
                    continue
                out = []
                pieces = naming._SENT.findall(text)
                if "".join(pieces) != text:
                    pieces = [text]
                for s in pieces:
                    found = said.findall(s)
                    if found and kept >= naming.FIRST and since < gap:
                        new = change(s, side, d)
                        if new != s:
                            s, found = new, said.findall(new)
                    left = len(found)
                    if left:
                        kept += left
                        since = 0
                    since += s.count(" ") + 1
                    out.append(s)
                new = "".join(out)
                if new != text:
                    R.carry(text, new)
                    if text in keep:
                        keep.add(new)
                    d.words += new.count(" ") - text.count(" ")
                    part[k] = (new, tags, opt)


def _call(rnd: random.Random, texts: list[str], names: tuple[str, ...]):
    """A call's drafts (turns of both sides, some parts empty) with the names said now and then."""
    drafts = []
    for i in range(rnd.randrange(0, 40)):
        d = Draft(i, SimpleNamespace(id=f"p{i % 3}", side=rnd.choice(["seller", "buyer", "buyer_2"])))
        for part in (d.head, d.core, d.body, d.tail):
            for _ in range(rnd.choice([0, 0, 1, 1, 2, 4])):
                t = rnd.choice(texts)
                if rnd.random() < 0.4:
                    ws = t.split(" ")
                    for _ in range(rnd.randrange(1, 3)):
                        ws.insert(rnd.randrange(len(ws) + 1), rnd.choice(names) + rnd.choice(["", "", "'s", ".", "x"]))
                    t = " ".join(ws)
                part.append((t, (("tag", i),) if rnd.random() < 0.2 else (), rnd.random() < 0.5))
        d.words = sum(seg[0].count(" ") + 1 for p in (d.head, d.core, d.body, d.tail) for seg in p)
        drafts.append(d)
    return drafts


def test_the_walk_over_a_calls_sentences_is_the_walk_over_each_segment():
    """`naming._rewrite` (only the texts saying a need searched, the words in
    between counted at once) asks `change` the same sentences in the same
    order, with the same side and turn, and leaves the same segments, word
    counts, carried labels and kept texts as the segment-by-segment walk;
    for needs of either order, one inside the other or not, and none."""
    rnd = random.Random(22)
    texts = [s for s in _texts("en-US") if len(s) < 300][:4000]
    asked = changed = 0
    for k in range(400):
        company, short = NAMES[k % len(NAMES)]
        names = tuple(dict.fromkeys((company, short)))
        needs = [names, names[::-1], (), (names[-1],)][k % 4]
        said = naming._said(names)
        gap = rnd.choice([5, 40, 120, 10_000])
        base = _call(rnd, texts, names)
        runs = []
        for walk in (_rewrite_plain, naming._rewrite):
            drafts = copy.deepcopy(base)
            log: list = []
            keep = {seg[0] for d in drafts for p in (d.head, d.core) for seg in p}
            S = SimpleNamespace(R=SimpleNamespace(carry=lambda a, b, log=log: log.append(("carry", a, b))), keep=keep)
            r = random.Random(k)

            def change(s, side, d, r=r, log=log):
                log.append(("change", s, side, d.i))
                return said.sub("us", s) if r.random() < 0.6 else s
            walk(S, drafts, said, gap, change, needs)
            runs.append((log, [(d.words, d.head, d.core, d.body, d.tail) for d in drafts], sorted(keep)))
        assert runs[0] == runs[1], (company, needs, gap)
        asked += sum(x[0] == "change" for x in runs[0][0])
        changed += sum(x[0] == "carry" for x in runs[0][0])
    assert asked > 500 and changed > 300


def test_texts_saying_a_need_are_the_texts_with_either_need():
    """`naming._saying`: the texts holding the first or the last need, in
    order, whichever holds the other (a short name inside the full one)."""
    rnd = random.Random(23)
    texts = _texts("en-US")[:2000]
    for k in range(300):
        company, short = NAMES[k % len(NAMES)]
        needs = [(company, short), (short, company), (short,), (company + " ", short), ("25 ",), ("ab", "b")][k % 6]
        said_in = _said_in(rnd, texts, [company, short, "25 ", "ab"], rnd.randrange(0, 60))
        assert naming._saying(said_in, needs) == \
            [i for i, t in enumerate(said_in) if needs[0] in t or needs[-1] in t]
    assert list(naming._saying(["a", "b"], ())) == [0, 1]


def test_a_new_signal_is_found_as_the_two_readings_find_it():
    """`naming._adds_signal(new, old)` (old read only when new reads as a
    signal) is `text_categories(new) - text_categories(old)`, on bank texts
    with signal words said in, left out and swapped."""
    rnd = random.Random(24)
    both = 0
    for loc in banks.supported_locales():
        lex = load_lexicon(loc)
        words = sorted({k for row in lex.classify.signal_terms for k in row.get("keywords") or ()})
        texts = _texts(loc)[:1500]
        for t in texts:
            new = _said_in(rnd, [t], words, 1)[0] if rnd.random() < 0.5 else t
            old = _said_in(rnd, [t], words, 1)[0] if rnd.random() < 0.5 else rnd.choice(texts)
            want = bool(text_categories(loc, new) - text_categories(loc, old))
            assert naming._adds_signal(loc, new, old) == want, (loc, new, old)
            both += want
    assert 50 < both < 2000


def _shares_plain(phrase: str, text: str, proper: frozenset[str] = frozenset()) -> bool:
    """habits._shares as it was (d46492f): the phrase read again for each text."""
    W, base = habits._W, habits._base
    p = W.findall(phrase.lower()) if phrase.isascii() else [w.lower() for w in W.findall(phrase)]
    tw = W.findall(text.lower()) if text.isascii() else [w.lower() for w in W.findall(text)]
    if proper:
        mine = {base(w) for w in p} & proper
        if mine and mine & {base(w) for w in tw}:
            return True
    t = " " + " ".join(tw) + " "
    if len(p) < 3:
        return bool(p) and f" {' '.join(p)} " in t
    return any(f" {p[i]} {p[i + 1]} {p[i + 2]} " in t for i in range(len(p) - 2))


def test_a_habit_phrase_read_once_shares_what_it_shared_read_each_time():
    """`habits._shares`, `_stays` and `names` with a phrase's words, word count
    and an account's name words made once answer as the code reading them
    for each sentence: on the habit banks' phrases (and short, empty and
    non-ASCII ones) against bank texts saying some of their words, for
    several accounts' proper names in turn (one account's entry never
    answers for another's)."""
    rnd = random.Random(25)
    yes = no = 0
    for loc in banks.supported_locales():
        bank = banks.load_bank(loc)
        phrases = ["", "Out", "at least", "Here at Redfold", "Σ Straße ÄÖ, ja", "here at Zoë's", "...", "Ab's"]
        for key, v in bank.items():
            if key.startswith("habit.") and isinstance(v, list):
                phrases += [" ".join(str(x) for x in t) if isinstance(t, (list, tuple)) else str(t) for t in v]
        texts = _texts(loc)[:2000]
        for k in range(6000):
            phrase = rnd.choice(phrases).replace("{co}", rnd.choice(["Redfold", "Zoë", "Ab"]))
            words = habits._W.findall(phrase) or ["x"]
            text = _said_in(rnd, texts, [" ".join(words[i:i + 3]) for i in range(len(words))], 1)[0]
            values = tuple(rnd.choice(["", "Redfold Logistics", "Zoë Care", "Ab", "Nordwerk 24", "Graniteline"])
                           for _ in habits.NAME_SLOTS)
            R = SimpleNamespace(slots=dict(zip(habits.NAME_SLOTS, values)))
            proper = frozenset(w.lower() for v in values for w in habits._W.findall(v)
                               if len(w) > 2 and not w.isdigit())
            assert habits.names(R) == proper, values
            want = _shares_plain(phrase, text, proper)
            assert habits._shares(phrase, text, proper) == want, (phrase, text, proper)
            assert habits._shares(phrase, text) == _shares_plain(phrase, text)
            yes += want
            no += not want
            n = len(habits._WORDS.findall(text))
            stays = n >= habits.WHOLE_WORDS or n + len(habits._WORDS.findall(phrase)) < habits.WHOLE_WORDS
            assert habits._stays(text, phrase) == stays
            short = " ".join(text.split(" ")[:rnd.randrange(1, 6)])
            n = len(habits._WORDS.findall(short))
            assert habits._stays(short, phrase) == \
                (n >= habits.WHOLE_WORDS or n + len(habits._WORDS.findall(phrase)) < habits.WHOLE_WORDS)
    assert yes > 1000 and no > 1000
