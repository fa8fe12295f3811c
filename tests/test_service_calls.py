"""Contact-center calls that are different calls, and metadata that agrees
with them (issue 15, points 5 and 6). Each test names the "Why" item it
guards; the figures are measured on examples/contact_center.corpus, all 200
calls, rendered in-process as the transcripts backend would.

    python -m pytest tests/test_service_calls.py -q -s   # prints the figures
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import pytest

from corpusc.render.timing import timing

from .conftest import EXAMPLES
from .test_dynamics import plain
from .test_engine import plan_of, render_all

WORD = re.compile(r"[\w'’-]+", re.UNICODE)
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def distinct_2(calls: list[list[str]], tokens: int = 20_000) -> float:
    """Distinct bigrams over all bigrams, within turns, over the first
    `tokens` words of the calls in plan order (`calls`: turns' texts)."""
    seen, total, n = set(), 0, 0
    for turns in calls:
        for text in turns:
            w = words(text)[: max(0, tokens - n)]
            n += len(w)
            pairs = list(zip(w, w[1:]))
            total += len(pairs)
            seen.update(pairs)
            if n >= tokens:
                return len(seen) / total
    return len(seen) / total if total else 0.0


def sentences(text: str) -> list[str]:
    return [" ".join(words(s)) for s in SENTENCE.split(text) if len(words(s)) >= 6]


def verbatim_share(calls: list[list[str]]) -> float:
    """Of the sentences of 6 or more words, the share (by occurrence) that
    also occurs, word for word, in another call."""
    where: dict[str, set[int]] = defaultdict(set)
    occ: list[tuple[int, str]] = []
    for i, turns in enumerate(calls):
        for text in turns:
            for s in sentences(text):
                where[s].add(i)
                occ.append((i, s))
    return sum(len(where[s]) > 1 for _, s in occ) / len(occ) if occ else 0.0


def figures(calls, rendered) -> dict[str, float]:
    texts = [[t.text for t in rc.turns] for rc in rendered]
    de = [tx for c, tx in zip(calls, texts) if c.locale.startswith("de")]
    same_intent = []
    by_intent: dict[str, list[int]] = defaultdict(list)
    for k, c in enumerate(calls):
        if c.locale.startswith("de"):
            by_intent[str(c.metadata.get("intent"))].append(k)
    for ks in by_intent.values():
        same_intent.append(verbatim_share([texts[k] for k in ks]))
    return {"distinct_2": round(distinct_2(texts), 3), "verbatim": round(verbatim_share(texts), 3),
            "verbatim_de": round(verbatim_share(de), 3),
            "verbatim_de_same_intent": round(max(same_intent), 3) if same_intent else 0.0}


@pytest.fixture(scope="module")
def contact():
    h, calls = plan_of(EXAMPLES / "contact_center.corpus")
    return h, calls, render_all(h, calls)


# ---- "Contact-center calls are one script reshuffled" ------------------------------

def test_calls_are_different_calls(contact):
    """Far from one script reshuffled (before this work: distinct-2 0.335 at
    20k tokens, 80% of sentences of 6+ words verbatim in another call, 87% in
    German, 73% within one German intent; 0.45 / 31% / 36% / 20% before the
    paraphrases were compiled into the banks and the German banks grew):
    what the banks reach now, as a floor."""
    _, calls, rendered = contact
    f = figures(calls, rendered)
    print("\ncontact_center figures:", json.dumps(f))
    assert f["distinct_2"] >= 0.46, f
    assert f["verbatim"] <= 0.15, f
    assert f["verbatim_de"] <= 0.15, f
    assert f["verbatim_de_same_intent"] <= 0.12, f


def test_calls_reach_the_issue_figures(contact):
    """Issue 15's figures: distinct-2 >= 0.5 at 20k tokens, <= 15% of sentences
    of 6+ words verbatim in another call (German too)."""
    _, calls, rendered = contact
    f = figures(calls, rendered)
    assert f["distinct_2"] >= 0.5 and f["verbatim"] <= 0.15 and f["verbatim_de"] <= 0.15, f


def test_each_language_is_as_varied(contact):
    """Per locale, the first 20k words of its calls (German as varied as
    English): distinct-2 on main 0.43 (de-DE) and 0.36 (en-US); the floor the
    banks reach now, verbatim within the target with a margin."""
    _, calls, rendered = contact
    for loc, floor in (("de-DE", 0.46), ("en-US", 0.40)):
        texts = [[t.text for t in rc.turns] for c, rc in zip(calls, rendered) if c.locale == loc]
        d2, vb = distinct_2(texts), verbatim_share(texts)
        print(f"\n{loc}: distinct-2 {d2:.3f}, verbatim {vb:.3f}")
        assert d2 >= floor and vb <= 0.14, (loc, d2, vb)


def test_the_measure_sees_a_reshuffled_script():
    """The figures themselves: a script reshuffled scores badly, distinct calls well."""
    script = ["Thank you for calling the bank, how can I help you today?",
              "I need to block my card because I think it was stolen.",
              "For security, could I have your date of birth and your postcode?"]
    same = [[script[(i + k) % 3] for k in range(3)] for i in range(20)]
    assert verbatim_share(same) == 1.0 and distinct_2(same) < 0.2
    other = [[f"Caller {i} says {i * 7} things about item {i * 13} in town {i * 31} today"] for i in range(20)]
    assert verbatim_share(other) == 0.0


# ("ist das ein großer Schritt" is German word order, not two articles; so with a filler between: "Für mich
# ist, ähm, das ein großer Schritt")
LABELS = re.compile(r"\b(?:the a|a a|an a|der ein|die ein|den ein|(?<!ist )(?<!war )(?<!ist, ähm, )(?<!ist, äh, )das ein)\b|_|"
                    r"small amount|"
                    r"kleiner Betrag", re.I)


def test_no_labels_leak_into_speech(contact):
    """Metadata values are never said as words: no bucket label ("the a small
    amount charge"), no snake_case value."""
    _, calls, rendered = contact
    bad = [(c.id, t.text) for c, rc in zip(calls, rendered) for t in rc.turns if LABELS.search(t.text)]
    assert not bad, bad[:5]


# phone-only phrases: a chat has no line, no voice, no ringing, no hold music
PHONE = re.compile(
    r"calling|on the line|hear (?:me|you)|speaking|breaking up|connection|loud|background|"
    r"hold music|recorded|spell|phone call|"
    r"Anruf|anrufen|rufe .*an|am Apparat|(?<![a-zäöüß])Leitung|hören Sie|verstehe Sie nicht|Verbindung|(?<![a-zäöüß])laut(?!et)|"
    r"Hintergrund|Warteschleife|aufgezeichnet|buchstabier|telefonier", re.I)


def test_chats_are_written_as_chats(contact):
    """Text-channel calls carry no phone-only phrase; their turns are typed
    (shorter than the same population's spoken turns)."""
    _, calls, rendered = contact
    chats = [(c, rc) for c, rc in zip(calls, rendered) if c.metadata.get("channel") == "text"]
    voice = [(c, rc) for c, rc in zip(calls, rendered) if c.metadata.get("channel") != "text"]
    assert chats
    bad = [(c.id, m.group()) for c, rc in chats for t in rc.turns for m in [PHONE.search(t.text)] if m]
    assert not bad, bad[:8]

    def per_turn(pairs):
        n = [len(t.text.split()) for _, rc in pairs for t in rc.turns if t.side == "buyer"]
        return sum(n) / len(n)
    assert per_turn(chats) < 0.8 * per_turn(voice)


NUMBER = re.compile(r"\d[\d\s-]{4,}\d")


def test_the_customers_data_stays_the_customers(contact):
    """A number the caller gives (customer number, card digits) is never read
    back to them as a reference the bank issues."""
    _, calls, rendered = contact
    bad = []
    for c, rc in zip(calls, rendered):
        said = set()
        for t in rc.turns:
            found = {re.sub(r"\D", "", n) for n in NUMBER.findall(t.text)}
            if t.side == "seller" and re.search(r"reference|case number|Vorgangsnummer|Aktenzeichen|Referenz",
                                                t.text, re.I):
                bad += [(c.id, n) for n in found & said]
            if t.side == "buyer":
                said |= found
    assert not bad, bad[:5]


# ---- "Metadata says one thing, the call another" -----------------------------------

def test_escalation_agrees_with_the_scenario(contact):
    _, calls, _ = contact
    pairs = Counter((c.metadata["scenario"], c.metadata["escalation"]) for c in calls)
    sup = sum(n for (s, e), n in pairs.items() if s == "escalation_to_supervisor")
    assert pairs[("escalation_to_supervisor", "supervisor")] == sup > 0, pairs
    assert sum(n for (s, e), n in pairs.items() if e == "supervisor") == sup, pairs
    assert not [p for p in pairs if p[0] in ("resolved_first_contact", "self_service_redirect")
                and p[1] != "no_escalation"], pairs
    # the quotas stay exact
    assert sum(n for (s, e), n in pairs.items() if e == "back_office") == 8


def test_agents_speak_the_calls_language(contact):
    h, calls, _ = contact
    from corpusc.compiler.driver import compile_file
    from corpusc.diagnostics.model import Sink
    pop = compile_file(str(EXAMPLES / "contact_center.corpus"), Sink()).program.populations[0]
    wrong = [c.id for c in calls if c.locale not in pop.agents[c.metadata["agent"]].languages]
    assert not wrong, wrong
    assert Counter(c.metadata["agent"] for c in calls) == Counter({a: 25 for a in pop.agents})


def test_duration_is_the_rendered_length(cli, tmp_path):
    """`duration_sec` in the dialogue header and the `.wav.json` is the audio's
    length as the standard library's `wave` reads it (±1 s); a chat's is its
    transcript's; `verify` checks the same and passes."""
    import wave
    spec = tmp_path / "cc.corpus"
    spec.write_text((EXAMPLES / "contact_center.corpus").read_text().replace("volume 40 per day", "volume 3 per day"))
    out = tmp_path / "out"
    status, text = cli("build", str(spec), "-o", str(out), "--jobs", "1")
    assert status == 0, text
    checked = 0
    for head in sorted((out / "audio").glob("*.wav.json")):
        c1 = json.loads(head.read_text())["C1"]
        wav = head.with_name(head.name.replace(".wav.json", ".wav"))
        if wav.exists():
            with wave.open(str(wav)) as w:
                length = w.getnframes() / w.getframerate()
        else:
            length = json.loads((out / "transcripts" / head.name.replace(".wav.json", ".json")).read_text())["duration"]
        dialogue = (out / "transcripts" / head.name.replace(".wav.json", ".dialogue.txt")).read_text()
        said = float(re.search(r"^(?:Duration|Dauer) \(s\): (\S+)$", dialogue, re.M).group(1))
        assert abs(c1["duration_sec"] - length) <= 1.0 and said == c1["duration_sec"], (head.name, c1["duration_sec"], length)
        checked += 1
    assert checked == 15
    status, text = cli("verify", str(out))
    assert status == 0, text


def test_the_text_is_fitted_to_the_planned_duration(contact):
    """The plan's duration is what the renderer aims at, so the realized
    durations keep the spec's distribution (median ratio near 1)."""
    _, calls, rendered = contact
    ratio = sorted(rc.duration / c.target_duration_sec for c, rc in zip(calls, rendered))
    assert 0.85 <= ratio[len(ratio) // 2] <= 1.15, ratio[len(ratio) // 2]
    assert ratio[len(ratio) // 10] >= 0.6 and ratio[-len(ratio) // 10] <= 1.5, (ratio[:5], ratio[-5:])


def test_silences_are_not_one_length_split_in_two(contact):
    """The metadata's silence is realized as pauses before caller turns whose
    total is the metadata's, not always two halves of equal length."""
    _, calls, rendered = contact
    equal = total = 0
    for c, rc in zip(calls, rendered):
        sil = [float(x.split()[1][:-1]) for t in rc.turns for x in t.cues if x.startswith("silence ")]
        want = c.metadata.get("Silence_total_seconds") or 0
        if want and c.metadata.get("channel") != "text":
            assert abs(sum(sil) - want) <= 0.1 * len(sil) + 0.05, (c.id, sil, want)
            total += 1
            equal += len(sil) == 2 and sil[0] == sil[1]
    assert equal <= total * 0.2, (equal, total)


def test_sentiment_shows_in_the_callers_turns(contact):
    """A call planned negative (sentiment_score < -0.3) has negative caller
    turns; a positive one has none."""
    _, calls, rendered = contact
    for c, rc in zip(calls, rendered):
        s = c.metadata.get("sentiment_score")
        neg = sum(t.sentiment == "NEGATIVE" for t in rc.turns if t.side == "buyer")
        if s is not None and s < -0.3:
            assert neg >= 1, c.id
        if s is not None and s > 0.3:
            assert neg == 0, c.id


# ---- "Turns don't answer each other" (populations) --------------------------------

REPEAT = re.compile(r"(?:could|can|would) you (?:please )?(?:repeat|say) that|say that again|didn't catch (?:that|the last)|"
                    r"(?:können|könnten) Sie das (?:bitte )?(?:wiederholen|nochmal sagen)|habe das (?:Letzte )?nicht verstanden",
                    re.I)


def test_a_request_to_repeat_gets_the_repeat(contact):
    _, calls, rendered = contact
    asked = got = 0
    for c, rc in zip(calls, rendered):
        turns = rc.turns
        for i, t in enumerate(turns):
            if t.side == "buyer" and REPEAT.search(t.text) and i + 1 < len(turns):
                asked += 1
                before = [s for u in turns[:i] if u.side == "seller" for s in SENTENCE.split(plain(u.text, c.locale))]
                last = before[-1] if before else ""
                again = plain(turns[i + 1].text, c.locale)  # past the "um"s
                got += bool(last) and words(last)[-4:] == words(again)[-4:] or \
                    " ".join(words(last)) in " ".join(words(again))
    assert asked and got == asked, (got, asked)


GENERIC = """
corpus generic {
  seed 5
  locale LOCALE
}
population service {
  count 30
  window 2026-03-02..2026-03-06
  timezone "Europe/Berlin"
  hours 09:00..17:00
  scenario weights { resolved 70% callback 30% }
  field duration_sec: lognormal(median 240s, sigma 0.4) clamp 60s..900s
}
emit transcripts { formats [json] }
"""


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_a_population_without_domain_does_not_repeat_itself(tmp_path, locale):
    p = tmp_path / "g.corpus"
    p.write_text(GENERIC.replace("LOCALE", locale))
    h, calls = plan_of(p)
    rendered = render_all(h, calls)
    for c, rc in zip(calls, rendered):
        said = [s for t in rc.turns for s in SENTENCE.split(t.text) if s]
        twice = [a for a, b in zip(said, said[1:]) if a == b]
        assert not twice, (c.id, twice)
        assert not [t.text for t in rc.turns if "Product" in t.text], c.id


def test_the_phrase_trie_matches_as_an_alternation_would():
    """language.trie (one branching regex, here for the service's paraphrase
    phrases, for speed) finds what the plain longest-first alternation finds."""
    import random

    from corpusc.render.template.language import trie as _trie
    phrases = ["a", "ab", "abc", "abd", "b", "bcd", "I'm", "I am", "x.", "x,", "of course", "of", "off"]
    trie = re.compile(rf"(?<![\w-])(?:{_trie(phrases)})(?![\w-])", re.I)
    plain = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
                       + r")(?![\w-])", re.I)
    r = random.Random(4)
    for _ in range(2000):
        s = " ".join(r.choice(phrases + ["abcd", "zz", "Of", "AB"]) for _ in range(r.randint(1, 6)))
        assert [m.span() for m in trie.finditer(s)] == [m.span() for m in plain.finditer(s)], s


# ---- how the variety is made: data, with the labels kept -----------------------------------

def _markers(t) -> set[str]:
    from corpusc.render.template.language import ALT, SLOT
    if isinstance(t, str):
        return set()
    out: set[str] = set()
    for n in t:
        if isinstance(n, tuple) and n[0] == SLOT and n[1][:1] == "#":
            out.add(n[1])
        elif isinstance(n, tuple) and n[0] == ALT:
            for a in n[1]:
                out |= _markers(a)
    return out


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_paraphrases_keep_the_templates_labels(locale):
    """A population template is rendered with its paraphrase groups compiled
    in as alternatives (`service_bank`): every signal marker the declaration
    put into the template survives, and every alternative the paraphrase
    added is a member of one group, so a paraphrased sentence is labelled as
    its template declares (nothing re-derived from the words)."""
    from corpusc.render.template import service
    from corpusc.render.template.banks import load_bank
    from corpusc.render.template.signals import marked_templates
    bank, said = service.service_bank(locale, "banking", False)
    marked = marked_templates(locale)
    members = {w for of in service._paraphraser(locale, "banking", False)[1] for g in of.values() for w in g}
    changed = 0
    for k, lst in load_bank(locale).items():
        if not k.startswith("pop.banking.") or not isinstance(lst, list) or not lst or isinstance(lst[0], (dict, list)):
            continue
        for t in lst:
            got = said.get(id(t))
            assert got is not None and got[0] is t, k
            m = marked.get(id(t))
            want = _markers(m[1]) if m is not None and m[0] is t else set()
            assert _markers(got[1]) == want, (k, t)
            changed += got[1] is not t
    assert changed > 300
    # the compiled alternatives are the groups' members (first letter as the phrase found)
    lower = {w[:1].lower() + w[1:] for w in members} | {w[:1].upper() + w[1:] for w in members}
    assert lower & {"Vielen Dank", "Thank you", "vielen Dank für", "thank you for"}


def test_a_chat_bank_keeps_no_phone_phrase():
    """A chat's bank holds only the templates with a reading free of phone-only
    phrases, and renders those readings alone."""
    from corpusc.render.template import service
    from corpusc.render.template.language import ALT, SLOT
    for locale in ("en-US", "de-DE"):
        rx = service._voice_only(locale, "banking")
        bank, said = service.service_bank(locale, "banking", True)

        def texts(t):
            if isinstance(t, str):
                yield t
            else:
                for n in t:
                    if isinstance(n, str):
                        yield n
                    elif n[0] == ALT:
                        for a in n[1]:
                            yield from texts(a)
        for k, lst in bank.items():
            if k.startswith("pop.banking.") and isinstance(lst, list) and lst and not isinstance(lst[0], (dict, list)):
                for t in lst:
                    assert not [x for x in texts(said.get(id(t))[1]) if rx.search(x)], (locale, k)
        assert SLOT == 0


def test_leads_stand_before_their_words_only(contact):
    """A sentence opened by a lead ("Also," "So,") continues with one of the
    locale's lead words, lower-cased; German keeps "Sie" out of them (a
    capital that must stay)."""
    from corpusc.render.template.banks import load_bank
    _, calls, rendered = contact
    seen = 0
    for c, rc in zip(calls, rendered):
        bank = load_bank(c.locale)
        leads = {str(x) for side in ("agent", "caller") for x in bank.get(f"pop.generic.lead.{side}") or ()}
        ok = {w.lower() for g in bank["pop.generic.lead_words"] for w in (g if isinstance(g, list) else [g])}
        assert "sie" not in ok
        for t in rc.turns[1:]:
            for s in SENTENCE.split(t.text):
                for lead in leads:
                    if s.startswith(lead + " ") and not s.startswith(lead + " " + lead):
                        nxt = s[len(lead) + 1:].split(" ", 1)[0]
                        if nxt.lower() in ok:
                            seen += 1
    assert seen > 50
