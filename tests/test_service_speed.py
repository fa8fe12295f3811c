"""The contact-center renderer's shortcuts (render/template/service.py) answer
exactly as the plain code they replace: a cache shared across calls renders
what a fresh one renders. Speed itself is measured in benchmarks/, never here."""

from __future__ import annotations

from corpusc.render.template import service

from .test_engine import EXAMPLES, plan_of, render_all


def _fresh_each(h, calls, clear) -> list[str]:
    out = []
    for c in calls:
        clear()
        out += [rc.model_dump_json() for rc in render_all(h, [c])]
    return out


def test_text_scans_shared_across_calls_render_as_fresh_ones():
    """`service._scans` (per text: what `_contradicts` finds in it) kept across
    calls, phone and chat, with and without a transfer, renders byte for byte
    what a table emptied before each call renders."""
    h, calls = plan_of(EXAMPLES / "contact_center.corpus", n=60)
    assert len({str((c.metadata or {}).get("channel")) for c in calls}) > 1  # phone and chat calls both
    service._SCANS.clear()
    shared = [rc.model_dump_json() for rc in render_all(h, calls)]
    assert sum(len(t) for _, t in service._SCANS.values()) > 100
    again = [rc.model_dump_json() for rc in render_all(h, calls)]  # every text read from the table
    assert again == shared
    assert _fresh_each(h, calls, service._SCANS.clear) == shared


def test_text_scans_one_table_per_locale_domain_chat_and_transfers():
    """Two bank variants never share a table (a chat's phone-only phrases, a call
    without a transfer's transfer talk: the same text, another answer)."""
    keys = [(loc, "banking", chat, tr) for loc in ("en-US", "de-DE") for chat in (False, True) for tr in (False, True)]
    tables = [service._scans(*k) for k in keys]
    assert len({id(t) for t in tables}) == len(keys)
    assert all(service._scans(*k) is t for k, t in zip(keys, tables))  # and each is kept


def test_gate_finds_something_wherever_a_fact_pattern_would():
    """A text `_gate` finds nothing in has no match of the setting forms, the
    fact values or the caller-fact forms (what `_Scan` then takes as known):
    spoken turns and bank text of both locales, every form said at a word start,
    inside a word and in odd cases, the case-fold exceptions mixed in; and the
    gate lets through texts with a match and stops some without (it can fail
    either way)."""
    import random

    from corpusc.render.template import banks

    from .test_render_speed import CASEFIX, _spoken_texts
    rnd = random.Random(21)
    base = _spoken_texts(3)
    gated = 0
    for loc in ("en-US", "de-DE"):
        h, calls = plan_of(EXAMPLES / "contact_center.corpus", n=30)
        render_all(h, calls)  # the fact values of the domains drawn (`_fact_values`)
        for dom in ("generic", "banking", "telecom"):
            settings, facts = service._settings(loc, dom), service._caller_facts(loc, dom)
            prefix = f"pop.{dom}.fact."
            values, forms = service._FACT_VALUES.get((loc, prefix)), service._FACT_FORMS.get((loc, prefix))
            gate = service._gate(settings, facts, values, forms)
            if gate is None:
                continue
            rxs = [x for x in (settings[0] if settings else None, facts[0], values) if x is not None]
            words = [*facts[1], *facts[2], *facts[3], *(settings[1] if settings else ()), *(forms or ())]
            extra = []
            for w in words:
                extra += [f"so {w} then", w.upper(), f"{w.title()}.", f"x{w}", f"{w}-ish"]
            for s in extra[:]:
                i = rnd.randrange(len(s) + 1)
                extra.append(s[:i] + rnd.choice(CASEFIX) + s[i:])
            stopped = passed = 0
            for s in base + extra + banks.load_bank(loc).get("names.first", [])[:50]:
                low = service._lower_simple(s)
                if low is None:
                    continue
                found = any(rx.search(s) is not None for rx in rxs)
                if gate.search(low) is None:
                    assert not found, (loc, dom, s)
                    stopped += 1
                else:
                    passed += found
            assert stopped and passed, (loc, dom)
            gated += 1
    assert gated >= 2


def test_key_table_one_per_bank_and_domain():
    """`Service.k`'s answers (`_k_table`) are shared by the calls of one bank
    and domain only: another domain or another bank object has its own table,
    and the answers read from a shared table are what a fresh scan finds."""
    from corpusc.render.template.banks import load_bank
    h, calls = plan_of(EXAMPLES / "contact_center.corpus", n=40)
    service._KEYS.clear()
    shared = [rc.model_dump_json() for rc in render_all(h, calls)]
    assert _fresh_each(h, calls, service._KEYS.clear) == shared
    bank = service.service_bank("en-US", "banking", False)[0]
    a, b = service._k_table(bank, "banking"), service._k_table(bank, "generic")
    assert a is not b and service._k_table(bank, "banking") is a
    assert service._k_table(dict(bank), "banking") is not a  # a bank loaded anew: a table of its own
    assert load_bank("en-US") is not bank  # (the service bank is the locale's pruned copy)


def test_pruned_is_prune_once_per_template_and_pattern():
    """`_pruned` answers as `_prune` for each template and pattern, a second
    pattern over the same template included (no answer shared across patterns)."""
    from corpusc.render.template.banks import load_bank
    bank = load_bank("en-US")
    rxs = [service._claims_rx(("a moment", "one moment")), service._claims_rx(("a few minutes",)),
           service._hold_words("en-US", "generic")]
    templates = [t for k, v in bank.items() if k.startswith("pop.") and isinstance(v, list)
                 for t in v if isinstance(t, (str, tuple))][:3000]
    changed = 0
    for rx in rxs:
        for t in templates:
            want = service._prune(t, rx)
            assert service._pruned(t, rx) == want and service._pruned(t, rx) == want
            changed += want != t
    assert changed  # some template loses a reading or all of them: the answers differ by pattern


def test_text_scans_emptied_at_their_bound_render_alike(monkeypatch):
    """A table that reaches `SCANS_MAX` starts over (memory stays bounded) and renders the same words."""
    h, calls = plan_of(EXAMPLES / "contact_center.corpus", n=12)
    service._SCANS.clear()
    want = [rc.model_dump_json() for rc in render_all(h, calls)]
    monkeypatch.setattr(service, "SCANS_MAX", 7)
    service._SCANS.clear()
    assert [rc.model_dump_json() for rc in render_all(h, calls)] == want
    assert all(len(t) <= 7 for _, t in service._SCANS.values())


def test_mood_words_searched_lower_cased_are_found_where_the_pattern_finds_them():
    """`_upbeat_lowered` searched as `_contradicts` does (`_search` of the text
    lower-cased once where simple) finds a match in exactly the texts the
    IGNORECASE `_upbeat` pattern does: both locales and domains, spoken turns,
    bank text, each word in odd cases, inside words and with the case-fold
    exceptions mixed in; and the lower-cased search is the one taken (a `_Lowered`)."""
    import random

    from corpusc.render.template.banks import load_bank

    from .test_render_speed import CASEFIX, _spoken_texts
    rnd = random.Random(23)
    base = _spoken_texts(3)
    lowered = 0
    for loc in ("en-US", "de-DE"):
        for dom in ("generic", "banking", "telecom"):
            for name in ("upbeat", "downbeat", "thanks"):
                rx, fast = service._upbeat(loc, dom, name), service._upbeat_lowered(loc, dom, name)
                assert (rx is None) == (fast is None)
                if rx is None:
                    continue
                lowered += fast.__class__ is service._Lowered
                extra = []
                for w in (str(x) for d in ("generic", dom) for x in load_bank(loc).get(f"pop.{d}.{name}") or ()):
                    extra += [f"Oh {w}!", w.upper(), f"{w.title()}, yes.", f"un{w}", f"{w}-ish", f"{w}s"]
                for s in extra[:]:
                    i = rnd.randrange(len(s) + 1)
                    extra.append(s[:i] + rnd.choice(CASEFIX) + s[i:])
                found = 0
                for s in base + extra:
                    want = rx.search(s) is not None
                    assert (service._search(fast, s, service._lower_simple(s)) is not None) == want, (loc, dom, name, s)
                    found += want
                assert found, (loc, dom, name)
    assert lowered >= 6


def test_lead_words_search_answers_as_the_word_sets():
    """`_says_a_word_of(lead, text)` is `set(_LEAD_WORD.findall(lead)) &
    set(_LEAD_WORD.findall(text))` made a bool: the locales' leads against spoken
    turns and texts built to defeat the search (a lead word at the text's start
    and end, inside a longer word, after an apostrophe, hyphen, digit or
    underscore, in other cases and scripts)."""
    import random

    from corpusc.render.template.banks import load_bank

    from .test_render_speed import CASEFIX, _spoken_texts
    rnd = random.Random(29)
    leads = sorted({str(x).lower() for loc in ("en-US", "de-DE") for k, v in load_bank(loc).items()
                    if k.startswith("pop.") and ".lead." in k and isinstance(v, list) for x in v if isinstance(x, str)})
    assert len(leads) >= 6
    leads += ["", "...", "na_ja 2,", "ß-ja", "also also"]
    texts = [t.lower() for t in _spoken_texts(2)[:1500]]
    words = [w for lead in leads for w in service._LEAD_WORD.findall(lead)]
    glue = [" ", "", "'", "-", "_", "1", "x", "é", ", ", "\n", *CASEFIX.lower()]
    for _ in range(6000):
        parts = [rnd.choice(words + ["word", "und", "so", "well"]) for _ in range(rnd.randrange(1, 5))]
        texts.append("".join(p + rnd.choice(glue) for p in parts))
    agree = said = 0
    for lead in leads:
        for text in texts[rnd.randrange(500)::7]:
            want = bool(set(service._LEAD_WORD.findall(lead)) & set(service._LEAD_WORD.findall(text)))
            assert service._says_a_word_of(lead, text) == want, (lead, text)
            agree += 1
            said += want
    assert said and agree - said  # both answers occur


def test_lowered_given_its_text_compiles_the_ignorecase_pattern_once_where_needed():
    """A `_Lowered` made from its pattern's text (`_unsaid`) searches a simple text
    lower-cased without compiling the IGNORECASE pattern, and any other text with
    it, compiled once, answering as the pattern compiled up front."""
    import re

    from corpusc.render.template.language import alternation, trie
    words = ["on hold", "hold music", "Straße", "durchgestellt"]
    text = alternation(words)
    lazy = service._Lowered(text, re.compile(trie(sorted(w.lower() for w in words))))
    eager = re.compile(text, re.I)
    assert lazy.pattern == text and lazy._rx is None
    assert lazy.search("Put me ON HOLD, please.") is not None and lazy._rx is None  # simple: lower-cased
    for s in ("ſtraße on hold", "Hold Muſic", "STRASSE", "Straſse", "İ durchgeſtellt", "on hoKd", "ok"):
        assert (lazy.search(s) is None) == (eager.search(s) is None), s
        assert [m.span() for m in lazy.finditer(s)] == [m.span() for m in eager.finditer(s)], s
    assert lazy._rx is not None and lazy.rx is lazy.rx and lazy.rx.flags & re.I
    assert lazy.rx.pattern == eager.pattern
