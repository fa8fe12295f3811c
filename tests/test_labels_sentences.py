"""An outside reader's ground-truth defects (review of 4a358f7, reader13 #1,
#2, #11), checked on the files a build wrote with the reader's own word lists
and sentence split, never the renderer's:

- a buyer sentence stating a pain (a lost customer, spot checks, "we review
  four percent", knowledge never shared) carries a `need` label, and
  `corpusc verify` reads such a sentence as need (so it fails on one left
  unlabelled);
- a surface label is the sentence that carries its signal: no label spans a
  bare acknowledgement, thanks, closing or short question next to it ("Great
  question." inheriting authority, "Haben Sie Kinder?" pricing), and labels
  spanning two sentences are rare;
- a rollout duration ("everyone is live within about three weeks", "das
  ganze Team ist in drei Wochen live") carries a timeline label.

Like test_reader_sales, these read only a build's output
(CORPUSC_WHY_BUILDS=DIR with `sales_pov/`, `generated/`, `varied_de/`,
`contact_center/`), so they run against a build made by any corpusc version.
Against main at 4a358f7 each fails: pain sentences without need sp 5/7,
generated 79/84, German 87/106; 535 of 4,162 generated labels span two or
more sentences, 162 of them over a bare ack or question; rollout durations
without timeline 8/11 and 10/10."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from . import test_why as W
from .test_reader_sales import _calls, _lang, builds  # noqa: F401 (the fixture)

# reader13 need_pain.py
PAIN = {
    "en": r"\blost (a|two|one of our|our|a big|a good|the)\b[^.]*\b(customer|client|shipper|account|deal)s?"
          r"|nobody had a good answer|no one had a good answer|spot[- ]checks?"
          # the same pain line's other wordings (var-d: the banks say it several ways)
          r"|(?:nobody|no one|not one person)(?: in the room)? (?:had a (?:good|solid|real|straight) answer"
          r"|could explain it|could say why|could put a number on it|knew where to start)"
          r"|giving away margin"
          r"|review(ing)? (probably |maybe |about )?(\w+ )?percent|nobody updated|never (really )?gets shared"
          # "lost the account", "nobody could tell me": wordings the reader's list missed (sellvar: with the rep's
          # lines said more ways sales_pov's draws moved, and it said 4 of the listed ones, all labelled `need`)
          r"|no one could tell you|nobody could tell me|drives me crazy|basically trial and error|give away margin"
          r"|we don't see the vast majority|don't know what she does differently|knowledge (never|walks out)",
    "de": r"\b(verloren)\b(?! geglaubt)[^.]*\b(Kunde|Kunden|Mandant|Deal)|(Kunde|Kunden|Mandant\w*|Deal\w*) [^.]*verloren(?! geglaubt)"
          r"|keiner konnte es erklären|niemand (hatte|konnte)|Stichproben|Prozent der Gespräche"
          r"|geht fast niemand an die Aufnahmen|rätseln|wird nie geteilt|treibt mich in den Wahnsinn"
          r"|Versuch und Irrtum|sehen wir die Probleme erst",
}
# reader13 rollout_timeline.py
ROLLOUT = {
    "en": r"\b(live|rolled out|up and running|onboarded|using it|on it|in it)\b[^.]*\bwithin (about |roughly )?"
          r"(a|one|two|three|four|five|six|\d+) (days?|weeks?|months?)\b"
          r"|\bwithin (a|one|two|three|four|five|six|\d+) weeks?\b[^.]*\b(live|rolled out|everyone)\b",
    "de": r"\b(live|eingeführt|produktiv|startklar|damit)\b[^.]*\b(in|innerhalb von|nach) "
          r"(einer|zwei|drei|vier|fünf|sechs|\d+) (Tagen|Wochen?|Monaten)\b|\bin (zwei|drei|vier|fünf|sechs|\d+) "
          r"Wochen live\b",
}
# a rep's story of another customer's rollout is colour, not the buyer's timeline (docs/ground_truth.md)
STORY = re.compile(r"\b(?:one of our (?:clients|customers)|our (?:average )?customers?|a client|a customer"
                   r"|company in|we onboarded an? |we rolled out to an? |einem Kunden|unsere Kunden|Termin bei|Familienunternehmen)\b", re.I)
# reader13 span_width.py: a bare thanks, acknowledgement, check question or closing
FILLER = re.compile(r"^(?:(?:thanks|thank you|danke|yep|yes|ja|okay|ok|right|passt|great|perfect|sounds good|gut"
                    r"|prima|alles gute|realistic\??|what do you think|passt das|wie klingt das|how does that sound"
                    r"|does that work|noted|fair)\b[^.?!]{0,40}[.?!]|[^.?!]{0,25}\?)$", re.I)
# bare courtesies and check questions the reader found labelled (an acknowledgement, a thanks, a name at most)
BARE = re.compile(r"^(?:(?:thanks|thank you|danke|great question|good question|gute frage|sounds good|klingt gut"
                  r"|passt|perfect|perfekt|take care|bye|alles gute|yep|okay|ok|got it|verstehe|great|prima|super)"
                  r"(?:,? (?:so much|again|everyone|\w+))?|what do you think(?:, \w+)?|how does that sound"
                  r"|does that work(?: for you)?|passt das(?: für sie)?(?:, \w+)?|wie klingt das|haben sie kinder"
                  r"|leben kinder im haushalt)[.!?]$", re.I)
# the reader's sentence split (lib.sentences): a cue, then words up to an end mark
SENT = re.compile(r"(?:\[[^\]]*\]\s*)*([^.!?]+?(?:[.!?]+|—|$))(?=\s|$)")


ABBREV = re.compile(r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Hr|Fr|St)\.$")


def _merged(sents):
    """The reader's sentences, one not ending at a title's full stop ("Mr. Reed")."""
    out: list = []
    for a, b, q in sents:
        if out and ABBREV.search(out[-1][2]):
            out[-1] = (out[-1][0], b, out[-1][2] + " " + q)
        else:
            out.append((a, b, q))
    return out


def _covering(surf, a, b):
    return [s for s in surf if "start" in s and s["start"] < b and s["end"] > a]


@pytest.mark.parametrize("which", ["sales_pov", "generated", "varied_de"])
def test_buyer_pain_sentences_carry_need(which, builds):
    """Reader13 #1: a buyer sentence in the reader's pain lexicon is covered
    by a `need` label (at most 5% are not)."""
    out = builds(which)
    n, bad = 0, []
    for gt, turns in _calls(out):
        surf = W._surface(gt)
        for side, _, sents in turns:
            if side != "buyer":
                continue
            for a, b, q in _merged(sents):
                if re.search(PAIN[_lang(gt)], q, re.I):
                    n += 1
                    if not any(W._type(s) == "need" for s in _covering(surf, a, b)):
                        bad.append((gt["call_id"], q[:100]))
    assert n >= (3 if which == "sales_pov" else 5), n  # not vacuous (sales_pov's 14 calls say 4 to 7 as drawn)
    assert len(bad) <= 0.05 * n, (len(bad), n, bad[:5])


@pytest.mark.parametrize("loc, text", [
    ("en-US", "The issue is we're reviewing probably four percent of Stonemark's calls, tops."),
    ("en-US", "It's, you know, mostly shadowing and spot checks at Stonemark."),
    ("en-US", "A night dispatcher at Lakewind quoted a delivery window we couldn't honor, and we lost a good customer"
              " over it."),
    ("en-US", "Our best brokers at Silverwind figured it out on their own, and what they know never really gets "
              "shared."),
    ("de-DE", "Bei Harborport läuft das im Wesentlichen über Stichproben, wenn ein Kunde sich beschwert."),
    ("de-DE", "Das Problem ist, dass wir vielleicht sieben Prozent der Gespräche anschauen."),
    ("de-DE", "Die stärksten Berater haben es sich durch Erfahrung angeeignet, aber dieses Wissen wird nie geteilt."),
    ("de-DE", "Letztes Quartal hat Harborgate einen wichtigen Kunden beim Verlängerungsgespräch verloren."),
])
def test_verify_reads_pain_as_need(loc, text):
    """`corpusc verify` (builder/audit.py through the lexicon's need terms)
    reads the reader's pain sentences as need, so an unlabelled one fails it."""
    from corpusc.render.template.signals import read_signals
    assert "need" in {c for c, _, _ in read_signals(loc, text, "buyer")}


@pytest.mark.parametrize("which", ["sales_pov", "generated", "varied_de", "contact_center"])
def test_a_label_is_the_sentence_that_carries_it(which, builds):
    """Reader13 #2: no surface label spans a bare thanks, acknowledgement or
    short question next to its signal sentence, and at most 1% of labels
    span two or more sentences."""
    out = builds(which)
    labels, wide, bad = 0, 0, []
    for gt, turns in _calls(out):
        surf = [s for s in W._surface(gt) if "start" in s]
        for _, _, sents in turns:
            for s in surf:
                inside = [(a, b, q) for a, b, q in _merged(sents) if a < s["end"] and b > s["start"]]
                if not inside:
                    continue
                labels += 1
                if len(inside) >= 2:
                    wide += 1
                    bad += [(gt["call_id"], W._type(s), q) for _, _, q in inside if FILLER.match(q)]
    assert labels >= 100, labels
    assert not bad and wide <= 0.01 * labels, (wide, labels, bad[:6])


@pytest.mark.parametrize("which", ["generated", "varied_de", "contact_center"])
def test_one_sentence_one_label_set(which, builds):
    """Reader13 #2, its consequence: a bare thanks or check question of the
    reader's ("Great question.", "What do you think, Nico?", "Passt.") carries
    no label (it did whenever it shared a span, and so differently by call)."""
    out = builds(which)
    n, bad = 0, Counter()
    for gt, turns in _calls(out):
        surf = W._surface(gt)
        for _, _, sents in turns:
            for a, b, q in _merged(sents):
                if BARE.match(q):
                    n += 1
                    for s in _covering(surf, a, b):
                        bad[(W._type(s), q)] += 1
    assert n >= 20, n
    assert not bad, bad.most_common(6)


@pytest.mark.parametrize("which", ["sales_pov", "generated", "varied_de"])
def test_rollout_durations_carry_timeline(which, builds):
    """Reader13 #11: a rollout duration in the reader's lexicon carries a
    timeline label (signal_keys.json: timeline is "go-live, rollout"), unless
    the rep tells it of another customer (a story, colour)."""
    out = builds(which)
    n, bad = 0, []
    for gt, turns in _calls(out):
        surf = W._surface(gt)
        for _, _, sents in turns:
            for a, b, q in _merged(sents):
                if re.search(ROLLOUT[_lang(gt)], q) and not STORY.search(q):
                    n += 1
                    if not any(W._type(s) == "timeline" for s in _covering(surf, a, b)):
                        bad.append((gt["call_id"], q[:100]))
    if which == "generated":
        assert n >= 1, n  # not vacuous (sales_pov's 14 calls may say no rollout length)
    assert not bad, (len(bad), n, bad[:4])


@pytest.mark.parametrize("text, n", [
    ("Great question. Typically six weeks from signature.", 2),
    ("Sounds good, Jordan. Speak Wednesday next week. Take care.", 3),
    ("Bis Dienstag, 3. März, schicke ich Ihnen die Unterlagen.", 1),  # a date's full stop
    ("Wir sprechen z. B. über die Einarbeitung.", 1),
    ("Call me at 8 a.m. tomorrow, then we go through it.", 1),
    ("Rund 297.000 Euro im Jahr. Passt das?", 2),
    ("Wait. What?", 2),
])
def test_sentence_ends_the_renderer_splits_at(text, n):
    """signals.bounds: the ends a label may stop at, none after a number or an abbreviation."""
    from corpusc.render.template.signals import bounds
    assert len(bounds(text)) + 1 == n


def test_a_whole_template_category_goes_to_its_carrier():
    """signals.carriers: a category declared for a whole template lands on the
    sentence that says it, else the first that is not an acknowledgement."""
    from corpusc.render.template.signals import carriers
    assert carriers("en-US", "timeline", [("Great question.", set()),
                                          ("Typically six weeks until everyone's live.", set())]) == [1]
    assert carriers("en-US", "next_step", [("Sounds good, Jordan.", set()), ("Speak Wednesday.", {"next_step"}),
                                           ("Take care.", set())]) == [1]
    assert carriers("en-US", "buying_intent", [("Love it.", set()),
                                               ("I'm already picturing our Monday meetings.", set())]) == [1]
    assert carriers("en-US", "next_step", [("Great plan.", set()), ("Forwarding it on.", set())]) == [1]


def test_marked_templates_say_the_same_words():
    """The phrase markers split a literal right after the phrase (so a label
    finds its sentence) and change no word a template says."""
    from corpusc.render.template import signals
    from corpusc.render.template.banks import load_bank
    from corpusc.render.template.language import ALT

    def unmark(nodes):
        out = []
        for x in ((nodes,) if isinstance(nodes, str) else nodes):
            if isinstance(x, str):
                out.append(x)
            elif x[0] == signals.SLOT:
                out.append("" if x[1][0] == signals.MARK else x)
            else:
                out.append((ALT, tuple(unmark(a) for a in x[1])))
        return tuple(out)

    n = 0
    for loc in ("en-US", "de-DE"):
        bank = load_bank(loc)
        for k, sel in signals.declaration().templates.get(loc, {}).items():
            for t in bank.get(k) or ():
                for x in (t.get("say") or ()) if isinstance(t, dict) else (t,):
                    if isinstance(x, str):
                        continue
                    m = signals._mark(x, signals.key_categories(k), sel)
                    if m is not x:
                        n += 1
                        assert signals.sayings(unmark(m)) == signals.sayings(x), (k, x)
    assert n > 100, n
