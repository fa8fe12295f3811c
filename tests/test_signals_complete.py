"""The signal declaration reads every wording of a template, however many.

`python -m corpusc.render.template.signals --write` (`signals.undeclared`) used
to spell out at most 2,048 wordings of a template (the colour check
`template_terms` 65,536), so an alternative of a big template that says a
signal term could go undeclared, and its sentence reach the transcripts with
no label: on main 5601432 "The charge is correct, but I've moved ..." of
pop.banking.step.resolve_billing_overdraft_fee.agent (8,192 wordings, "charge"
first said in the 4,097th) was one. Now a template is read block by block
(`signals.blocks`: cut where no term, except phrase or declared phrase can
stand across the cut), every wording of every block.

1. A template built past the old caps, its term in the last wordings only, is
   found (undeclared, and the colour check).
2. The block reading finds what reading every wording of the whole template
   finds, on every bank template the blocks cut (the reference here is a plain
   loop over all wordings, written apart from signals.py's).
3. No template of the banks says a term its declaration misses (the bank test
   asks `undeclared`; here the key found on main is pinned).
"""

from __future__ import annotations

import itertools

import pytest

from corpusc.render.template import banks, signals
from corpusc.render.template.language import ALT, compile_template

# this file's own term per locale, and a sentence frame around it (not read from the banks)
TERM = {"en-US": ("pricing", "the pricing"), "de-DE": ("pricing", "die Preise")}
FILLER = {"en-US": [("we", "you"), ("can", "could"), ("look", "see"), ("at", "into"), ("it", "this")],
          "de-DE": [("wir", "Sie"), ("können", "könnten"), ("schauen", "sehen"), ("uns", "mal"), ("das", "es")]}


def _big(locale: str, n_alts: int) -> str:
    """A template of `n_alts` two-way alternatives (2**n_alts wordings) whose FIRST alternative's
    second choice says the term: the wordings that say it are the later half, past index 2**(n-1)."""
    cat, phrase = TERM[locale]
    words = FILLER[locale]
    parts = [f"[so|{phrase}]"] + [f"[{a}|{b}]" for a, b in itertools.islice(itertools.cycle(words), n_alts - 1)]
    return " ".join(parts) + "."


def _nth_saying_with(t, phrase: str) -> int:
    return next(i for i, x in enumerate(signals.sayings(t, 1 << 30)) if phrase in x)


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_a_term_past_the_old_cap_is_found(locale, monkeypatch):
    cat, phrase = TERM[locale]
    src = _big(locale, 12)  # 4,096 wordings, the term from the 2,049th on
    c = compile_template(src)
    assert len(signals.sayings(c, 1 << 30)) == 4096 and _nth_saying_with(c, phrase) == 2048
    key = "zz.synthetic.say"  # a key no declaration names
    assert not signals.key_categories(key) and not signals.colour_key(key)
    real = banks.raw_bank

    def raw(loc):
        out = dict(real(loc))
        if loc == locale:
            out[key] = [src]
        return out
    monkeypatch.setattr(banks, "raw_bank", raw)
    found = signals.undeclared(locale)
    assert cat in found.get(key, {}), found.get(key)


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_a_colour_term_past_the_old_cap_is_found(locale):
    cat, phrase = TERM[locale]
    src = _big(locale, 18)  # 262,144 wordings, the term from the 131,073rd on (the old cap: 65,536)
    got = signals.template_terms(locale, src)
    assert got and all(g.lower() in phrase.lower() for g in got), got


def test_can_say_reads_past_the_old_cap():
    # a phrase across two alternatives, said only by wordings past 2,048
    src = "[so|legal] [review|check] " + " ".join(f"[{a}|{b}]" for a, b in FILLER["en-US"] * 2) + "."
    c = compile_template(src)
    assert signals._count(c) == 4096
    assert not any("legal review" in x for x in signals.sayings(c))  # the old reading's 2,048
    assert signals.can_say(c, "legal review")
    assert not signals.can_say(c, "legal check review")


LIMIT = 512  # wordings of a template the reference reads one by one (every regex on each: slow)


def _reference(locale: str, key: str, t) -> dict[str, set[str]]:
    """What reading every wording of the whole template finds: category -> terms (the rule of
    undeclared, spelled out here over every wording)."""
    scope = signals.key_scope(key)
    base = signals.key_categories(key)
    mine = signals.declaration().templates.get(locale, {}).get(key, {})
    excepts = signals._excepts(locale, scope)
    out: dict[str, set[str]] = {}
    said = signals.sayings(t, 1 << 40)
    # (a wording with no term of any category skipped: `_says_any` is `_any_term`'s search, lower-cased)
    if not signals._says_any(locale, "\n".join(said), scope):
        return out
    for text in said:
        if not signals._says_any(locale, text, scope):
            continue
        for cat, rx in signals._terms(locale, scope):
            if cat in base or any(ph in text for ph in mine.get(cat, ())):
                continue
            ex = excepts.get(cat)
            spans = [m.span() for m in ex.finditer(text)] if ex is not None else []
            for m in rx.finditer(text):
                if not any(a <= m.start() and m.end() <= b for a, b in spans):
                    out.setdefault(cat, set()).add(m.group(0))
    return out


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_blocks_find_what_every_wording_finds(locale):
    """On every third bank template the blocks cut, up to LIMIT wordings (the reference reads them one
    by one; a third keeps the suite's time, a fixed sample the same each run): the same categories and
    terms. The cut keys' declared phrases count too: a block whose every wording holds one labels the
    others."""
    cut = same = n = 0
    own = signals.declaration().templates.get(locale, {})
    for k, lst in banks.raw_bank(locale).items():
        if not isinstance(lst, list) or signals.colour_key(k):
            continue
        scope = signals.key_scope(k)
        for t in lst:
            for src in ((t.get("say") or ()) if isinstance(t, dict) else (t,)):
                if not isinstance(src, str):
                    continue
                n += 1
                if n % 3:
                    continue
                c = compile_template(src)
                bl = signals.blocks(c, locale)
                if len(bl) < 2 or signals._count(c) > LIMIT:
                    continue
                assert sum(len(b) for b in bl) == len(signals._seq(c))
                prod = 1
                for b in bl:
                    prod *= signals._count(b)
                assert prod == signals._count(c)
                cut += 1
                # the declaration with no phrases and with the key's own: both must agree
                for mine in ({}, own[k]) if own.get(k) else ({},):
                    got: dict[str, set[str]] = {}
                    for cat, ts in signals._template_undeclared(
                            locale, scope, signals.key_categories(k), mine, signals._excepts(locale, scope), c):
                        got.setdefault(cat, set()).update(ts)
                    if mine is own.get(k):
                        want = _reference(locale, k, c)
                    else:
                        want = _reference_plain(locale, k, c)
                    assert got == want, (k, src[:200])
                    same += bool(want)
    assert cut > 350 and same > 15, (cut, same)  # the comparison is not idle


def _reference_plain(locale: str, key: str, t) -> dict[str, set[str]]:
    """`_reference` as if the key declared no phrase."""
    decl = signals.declaration()
    keep = decl.templates.get(locale, {}).get(key)
    try:
        if keep is not None:
            decl.templates[locale][key] = {}
        return _reference(locale, key, t)
    finally:
        if keep is not None:
            decl.templates[locale][key] = keep


def test_the_miss_of_main_is_declared():
    key = "pop.banking.step.resolve_billing_overdraft_fee.agent"
    src = next(s for s in banks.raw_bank("en-US")[key] if isinstance(s, str) and "[The fee|The charge]" in s)
    c = compile_template(src)
    assert signals._count(c) > 2048 and _nth_saying_with(c, "The charge") >= 2048
    assert "charge" in signals.declaration().templates["en-US"][key]["pricing"]
    assert signals._template_undeclared("en-US", "service", signals.key_categories(key),
                                        signals.declaration().templates["en-US"][key],
                                        signals._excepts("en-US", "service"), c) == []


def test_blocks_cut_only_where_nothing_stands_across():
    # "legal review" (a term in en-US) stands across "[legal|our]" and " [review|plan]": one block;
    # ", [sure|right]." holds no needle near its edges: a block of its own
    assert any(rx.search("legal review") for _, rx in signals._terms("en-US"))
    c = compile_template("[legal|our] [review|plan] is [done|open], [sure|right].")
    bl = signals.blocks(c, "en-US")
    assert len(bl) >= 2
    assert any(c[0] in b and c[2] in b for b in bl), bl


def test_the_charge_wording_is_labelled_pricing():
    """The wording main left unlabelled now carries a `pricing` marker wherever it says "The charge"."""
    key = "pop.banking.step.resolve_billing_overdraft_fee.agent"
    src = next(s for s in banks.raw_bank("en-US")[key] if isinstance(s, str) and "[The fee|The charge]" in s)
    sel = signals.declaration().templates["en-US"][key]
    marked = signals._mark(compile_template(src), signals.key_categories(key), sel)
    said = [(text, marks) for text, marks in signals.readings(marked, 1 << 20) if text.startswith("The charge")]
    assert len(said) == 4096 and all("pricing" in marks for _, marks in said)


@pytest.mark.parametrize("loc", ["en-US", "de-DE"])
def test_every_declared_phrase_is_said_by_its_key(loc):
    """A declared phrase no wording of its key says any more (the wording was
    rewritten) labels nothing but reads as a label the banks carry: `--write`
    removes it, and none is left (116 of 2,071 were, before s30)."""
    assert not signals.dead_declarations(loc)


def test_a_dead_declaration_is_found(monkeypatch):
    """The check finds a phrase its key never says and a key that is gone, and keeps a phrase said only
    across two alternatives of a template."""
    real = signals.declaration()
    key = next(k for k, v in banks.raw_bank("en-US").items() if isinstance(v, list) and v and isinstance(v[0], str)
               and "[" in v[0])
    src = banks.raw_bank("en-US")[key][0]
    c = compile_template(src)
    words = next(x for x in signals.every_saying(c, 64) if "{" not in x[:20] and len(x.split()) > 3)
    across = " ".join(words.split()[1:3])  # two words in a row of some wording
    assert signals.can_say(c, across)
    templates = {"en-US": {key: {"pricing": ["zzqx never said", across]}, "no.such.key": {"pricing": ["x"]}}}
    monkeypatch.setattr(signals, "declaration", lambda: real.model_copy(update={"templates": templates}))
    assert signals.dead_declarations("en-US") == {key: {"pricing": ["zzqx never said"]}, "no.such.key": {}}
