"""An outside reader's sales defects (review of 845f79e, reader11), each checked
on the files a build wrote with the reader's own word lists, never the
renderer's: buyer sentences that read as timeline, authority or pricing carry
a label of that category; a label sits on a sentence that says it; the last
call of a lost or stalled deal sends no countersigned order form; the reader's
ungrammatical patterns are not written (German and English); no invented
decision maker recurs across accounts; a small-talk answer answers the
question asked; a month phrase fits the day of the month. Like test_why, these
read only a build's output (CORPUSC_WHY_BUILDS=DIR with `sales_pov/`,
`generated/`, `varied_de/`), so they run against a build made by any corpusc
version; without it the fixtures build with this checkout.

Against main at 845f79e (the reader's builds) each test fails: unlabelled
buyer signal sentences (sp 13/16 timeline, gen_en 81/94, gen_de 86/104
authority), 8 of 25 / 12 of 28 dead deals countersigning, 165 German grammar
slips, "Martin" in 41 German accounts, 23 of 30 small-talk replies to another
question, "most of February" on 2 February."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from . import test_why as W

MON = "January|February|March|April|May|June|July|August|September|October|November|December"
MOND = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"

# the reader's lexicon (reader11 unlabelled_strict), per category: a buyer sentence matching it
# reads as that signal. Left out of the reader's list, because they are not that signal: bare
# "QBR" ("it came up in our last QBR"), "spend" of time, German "entscheiden" (which vendor to
# choose, not who decides) and "rechnen Sie nicht mit" (expect).
LEX = {
    "en": {
        "timeline": rf"\b(?:before|by|until) (?:{MON})\b|\bby (?:Q[1-4]|the end of (?:the )?(?:quarter|month|year))"
                    r"|\bwithin (?:a|one|two|three|\d+) (?:weeks?|months?)\b|\b(?:next|upcoming) QBR\b"
                    r"|\bQBR coming up\b|\bnext quarter\b|\bgo[- ]live\b|\bdeadline\b",
        "authority": r"\b(?:CEO|CFO|COO|CRO|exec team|executive team|board|leadership team)\b.*\b(?:sign|approv|ask|"
                     r"decid|all in|support|(?<!-)sell|buy-in|bring|loop|sign-off)|\bloop in\b|\btougher sell\b"
                     r"|\bsign(?:s|ed)? off\b|\bfinal (?:say|call|word)\b",
        "pricing": r"\bcosts?\b|\bprice\b|\bpricing\b|\bdiscount\b|\$\d|\bmoney\b|\bbudget\b|\bROI\b"
                   r"|\bpays? for itself\b|\bspend\b(?!—| (?:way too much |too much |a lot of |hours|weeks|time|days))",
    },
    "de": {
        "timeline": rf"\b(?:vor|bis) (?:{MOND})\b|\bvor dem Jahresabschluss\b|\bbis (?:Q[1-4]|Quartalsende|"
                    r"Jahresende|Monatsende)\b|\binnerhalb (?:von )?(?:eines|einem|zwei|drei|\d+) (?:Wochen?|Monate?n?)\b"
                    r"|\bnächste[sn]? Quartal\b|\bGo-Live\b|\bFrist\b|\bStichtag\b",
        # the body with what it decides, is asked, shown or must be won over for, as the English rule reads it
        # (branch budget: "Der Vorstand schaut auf zwei Dinge", "Druck von der Geschäftsführung" name who
        # watches the numbers, no decision; the bare body names had read them as authority)
        "authority": r"\b(?:Geschäftsführung|Vorstand|CEO|CFO|Finanzabteilung)\b.*\b(?:unterschr|zeichn|freigeb|"
                     r"genehmig|frag|entscheid|zustimm|unterstütz|vorleg|vorstell|präsentier|zeig|vertret|weiterleit|"
                     r"mitnehm|überzeug|skeptisch|vorsichtig|Belege)|\b(?:mit in|vorlegen|vorstellen|präsentier|"
                     r"vertreten|weiterleiten|zeigen)\b.*\b(?:Geschäftsführung|Vorstand)\b|\bunterschreib|\bFreigabe\b"
                     r"|\bfreigeben\b",
        "pricing": r"\bKosten\b|\bPreis|\bBudget|\bEuro\b|€|\bRabatt|\bRechnung\b|\bsich rechnen\b|\bReturn\b"
                   r"|\bAusgaben\b|\bGeld\b",
    },
}
# said inside these, a LEX word is not that signal (reader s21 #2): the cost of the buyer's own pain or
# of waiting is a need, "cost per acquisition" a KPI, not a price
NOT = {
    "en": {"pricing": r"\bcosts us(?: real money| time)?\b|\beats real money\b|\bcost per acquisition\b"
                      r"|\bmoney left on the table\b"},
    "de": {"pricing": r"\b(?:kostet uns(?: das)?|frisst das) echtes Geld\b|\bdie versteckten Kosten\b"
                      r"|\bdie uns Geld kosten\b|\bdie Kosten und Frust\b"},
}
ACCEPT = {"pricing": {"pricing", "budget"}, "timeline": {"timeline"}, "authority": {"authority"}}
SENT = re.compile(r"(?:\[[^\]]*\]\s*)*([^.!?]+?(?:[.!?]+|—|$))(?=\s|$)")


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            made[name] = W._make(name, tmp_path_factory.mktemp("reader_" + name))
        return made[name]
    return get


def _calls(out: Path):
    """(ground truth, [(speaker side, [(start, end, sentence)])]) of each sales call."""
    for gt in W._gts(out):
        side = {p["name"]: p["side"] for p in gt["participants"]}
        turns = []
        for pos, line in W._txt_lines(out, gt):
            name, _, text = line.partition(": ")
            base = pos + len(name) + 2
            sents = [(base + m.start(1), base + m.end(1), m.group(1).strip())
                     for m in SENT.finditer(text) if len(m.group(1).strip()) > 2]
            turns.append((side.get(name), text, sents))
        yield gt, turns


def _lang(gt: dict) -> str:
    return "de" if gt.get("locale", "").startswith("de") else "en"


@pytest.mark.parametrize("which", ["sales_pov", "generated", "varied_de"])
def test_buyer_signal_sentences_carry_their_label(which, builds):
    """Reader defect 1: a buyer sentence in the reader's timeline, authority or
    pricing lexicon is covered by a surface label of that category."""
    out = builds(which)
    n, bad = defaultdict(int), defaultdict(list)
    for gt, turns in _calls(out):
        surf = [s for s in W._surface(gt) if "start" in s]
        for side, _, sents in turns:
            if side != "buyer":
                continue
            for a, b, q in sents:
                for cat, rx in LEX[_lang(gt)].items():
                    if re.search(rx, re.sub(NOT[_lang(gt)].get(cat, "(?!)"), " ", q)):
                        n[cat] += 1
                        if not any(W._type(s) in ACCEPT[cat] and s["start"] < b and s["end"] > a for s in surf):
                            bad[cat].append((gt["call_id"], q[:90]))
    assert sum(n.values()) >= 20, dict(n)  # not vacuous
    assert not any(bad.values()), {c: (len(v), n[c], v[:4]) for c, v in bad.items() if v}


@pytest.mark.parametrize("loc, text, cat", [
    ("en-US", "Viktor is, um, the tougher sell, not me.", "authority"),
    ("en-US", "I'll have to loop in Grace at some point, Priya.", "authority"),
    ("en-US", "Ultimately it goes to the exec team, our leadership, for the final call.", "authority"),
    ("en-US", "For 55 agents, every line item gets noticed by finance, and I want the math by December.", "timeline"),
    ("en-US", "I'd love to show something like this to Dana before September.", "timeline"),
    ("en-US", "When I told Dana, the first question was about cost, naturally.", "pricing"),
    ("en-US", "Show me an ROI model on our own numbers and we'll have a conversation.", "pricing"),
    ("de-DE", "Die Geschäftsführung ist seitdem skeptisch, ich bräuchte diesmal echte Belege.", "authority"),
    ("de-DE", "Mit 18 Leuten läppert sich jeder Posten, ich will also einen klaren Return vor dem Jahresabschluss.",
     "pricing"),
    ("de-DE", "Mit 18 Leuten läppert sich jeder Posten, ich will also einen klaren Return vor dem Jahresabschluss.",
     "timeline"),
    ("de-DE", "Also brauche ich die Rechnung bis September.", "timeline"),
])
def test_verify_reads_the_readers_signal_sentences(loc, text, cat):
    """`corpusc verify` (builder/audit.py through signals.read_signals and the
    lexicon's signal_terms) sees the reader's examples as signals, so it fails
    on them when they go unlabelled."""
    from corpusc.render.template.signals import read_signals
    assert cat in {c for c, _, _ in read_signals(loc, text, "buyer")}


# questions and replies that say no signal, whatever beat they sit in (reader: "sentence spans inherit the
# beat's category": authority on "Anything in there that doesn't match?" x13, timeline on "Wer sollte von
# Ihrer Seite teilnehmen?" x8)
NOT_SAID = re.compile(r"^(?!.*(?:Geschäftsführung|Vorstand|exec team|leadership|CEO|CFO))(?:"
                      r"^(?:Anything|Is there anything) in there\b|^Does (?:everything|all of that) (?:look right|match)"
                      r"|^(?:Who|Which (?:people|folks)) (?:should|do you want to) (?:be in|join) the kickoff"
                      r"|^Which (?:days|dates) (?:work|are good) for the (?:kickoff|first session)"
                      r"|^Wer (?:sollte|soll) (?:von Ihrer Seite|beim Kickoff)|^(?:Gibt es etwas|Ist etwas) darin"
                      r"|^Sieht (?:alles|das) (?:richtig|so) aus|^Welche (?:Tage|Termine) (?:passen|wären gut) für den Kickoff"
                      r"|^(?:Bevor wir weitermachen|Bevor wir ins Detail gehen): (?:Gibt es etwas, das Sie noch beschäftigt"
                      r"|Ist noch etwas offen für Sie))")


# German: a generated spec whose won deals reach their signing call (varied_de's are mostly lost or stalled,
# so none asks these questions there)
@pytest.mark.parametrize("which", ["generated", "generated_de"])
def test_a_label_sits_on_a_sentence_that_says_it(which, builds):
    out = builds(which)
    n, bad = 0, []
    for gt, turns in _calls(out):
        surf = [s for s in W._surface(gt) if "start" in s and W._type(s) in ("authority", "timeline")]
        for _, _, sents in turns:
            for a, b, q in sents:
                if NOT_SAID.search(q):
                    n += 1
                    bad += [(gt["call_id"], W._type(s), q) for s in surf if s["start"] < b and s["end"] > a]
    assert n >= 1 and not bad, (n, bad[:5])


SIGNED = re.compile(r"countersigned|route it through e-signature|route it for e-signature|kickoff invite|gegengezeichnet"
                    r"|Kickoff-Einladung|zur E-Signatur|per E-Signatur|welcome aboard|willkommen an Bord")


@pytest.mark.parametrize("which", ["sales_pov", "generated", "varied_de"])
def test_dead_deals_send_no_countersigned_order_form(which, builds):
    """Reader defect 6: in the last call of a lost or stalled deal the rep
    sends no countersigned order form, e-signature or kickoff invite."""
    out = builds(which)
    gts = list(_calls(out))
    last: dict[str, tuple] = {}
    for gt, _ in gts:
        if gt["account"] not in last or gt["date"] >= last[gt["account"]][0]:
            last[gt["account"]] = (gt["date"], gt["call_id"])
    n, bad = 0, []
    for gt, turns in gts:
        if last[gt["account"]][1] != gt["call_id"] or gt.get("deal_outcome") not in ("lost", "stalled"):
            continue
        n += 1
        bad += [(gt["call_id"], m.group(0)) for side, text, _ in turns if side == "seller"
                for m in [SIGNED.search(text)] if m]
    assert n >= 1 and not bad, (n, bad[:5])


# the reader's grammar.py, German, and the {sites} agreement it found in English
GRAMMAR = {
    "de": {
        "digit + plural noun": r"\b(?:an|in|mit|von|bei|aus) 1 [A-ZÄÖÜ][a-zäöüß]+(?:en|ern|n)\b",
        "V2 broken after Und": r"(?:^|[.!?:] )(?:Und|Aber) (?:möchte|ist|will|habe|bin|kann|muss|werde|würde|brauche|hätte)"
                               r" (?:ich|es|wir|mir)\b",
        "fasse … zusammenfassen": r"\bfasse\b[^.]*\bzusammenfassen\b",
        "schicken Sie … und gebe": r"\bschicken Sie[^.]*\bund gebe\b",
        "Jede/Jeder Ihrer": r"\bJede Ihrer \w+ (?:Teamleiter|Vertriebsleiter)\b|\bJeder Ihrer \w+ (?:Führungskräfte|"
                            r"Teamleiterinnen)\b",
        "per Ihr": r"\bper Ihr\b",
        "Das Volumen verteilen": r"\bDas Volumen verteilen\b",
        "und schon da": r"\bund schon da\b",
        "bis am": r"\bbis am\b",
        "prüfen … an": r"\bprüfen nur noch[^.]*\ban\.",
        "etwas, die": r"\betwas, die ich\b",
        "wir … entscheidet": r"\bwir (?:langsamer|sorgfältiger) entscheidet\b",
        "stacked hedges": r"\b\w+ (?:betrachtet|gesagt|gesprochen): (?:Ganz ehrlich|Ehrlich gesagt|Offen gesagt|Kurzfassung)\b",
        "dative preposition + die": r"\b(?:[Vv]on|[Bb]ei|[Mm]it|[Aa]us|[Nn]ach) die [A-ZÄÖÜ]",
    },
    "en": {
        "one sites": r"\b(?:one|1) (?:sites|offices|locations)\b",
        "all two sites": r"\ball (?:one|two|2) (?:sites|offices|locations)\b",
    },
}


@pytest.mark.parametrize("which", ["sales_pov", "generated", "varied_de"])
def test_no_ungrammatical_template_output(which, builds):
    """Reader defect 4: 165 German slips in 90 of 201 calls, 'across one sites'."""
    out = builds(which)
    bad = []
    for gt, turns in _calls(out):
        for _, text, _ in turns:
            for name, rx in GRAMMAR[_lang(gt)].items():
                for m in re.finditer(rx, text):
                    bad.append((gt["call_id"], name, text[max(0, m.start() - 40):m.end() + 20]))
    assert not bad, (len(bad), bad[:6])


# the frames in which a buyer defers to someone (German and English): the referent is captured
DEFER = [r"\bmit (\S+) (?:besprechen|abstimmen|klären)", r"\ban (\S+) weiter", r"(?:^|[,.] )(\S+) (?:hat mich|fragt mich|"
         r"will wissen|unterschreibt)", r"\bes (\S+) (?:vorlegen|zeigen|erklären)",
         r"\b(?:run it by|check with|loop in|show this to|send it to) (\S+)", r"(?:^|[,.] )(\S+) (?:asked me|wants to know)"]


@pytest.mark.parametrize("which", ["generated", "varied_de"])
def test_no_invented_decision_maker_recurs_across_accounts(which, builds):
    """Reader defect 5: 'Martin' was the decision maker of 62 of 67 German
    accounts. A name a buyer defers to that is neither a participant nor a
    stakeholder of the account must not recur across a quarter of the accounts."""
    out = builds(which)
    plan = W._plan(out)
    people = defaultdict(set)
    for a in plan.get("accounts", []):
        for s in a.get("stakeholders") or []:
            people[a["name"]].update(str(s.get("display") or s.get("name") or "").split())
    accounts, named = set(), defaultdict(set)
    for gt, turns in _calls(out):
        accounts.add(gt["account"])
        known = people[gt["account"]] | {w for p in gt["participants"] for w in p["name"].split()}
        for side, text, _ in turns:
            if side != "buyer":
                continue
            for rx in DEFER:
                for m in re.finditer(rx, text):
                    w = m.group(1).strip(",.")
                    if w[:1].isupper() and w.isalpha() and w not in known and w not in ("Sie", "Ihnen", "Ihr", "Es", "Das"):
                        named[w].add(gt["account"])
    over = {w: len(a) for w, a in named.items() if len(a) * 4 > len(accounts)}
    assert len(accounts) >= 10 and not over, over


# the reader's smalltalk.py: which question each stock small-talk reply answers
REPLIES = [
    (r"^(?:A few days|A little|Ein paar Tage|Ein bisschen), (?:not enough|never enough|nie genug|zu wenig)",
     r"time off|get away|break|frei nehmen|abschalten"),
    (r"^(?:Nothing crazy|Not much|Nichts Großes|Nicht viel), ", r"weekend|plans|Wochenende|vor\b"),
    (r"^(?:Mostly hybrid|Hybrid|Meistens hybrid)\b", r"office|remote|going in|at home|Büro"),
]


@pytest.mark.parametrize("which", ["sales_pov", "generated", "varied_de"])
def test_small_talk_replies_answer_their_question(which, builds):
    """Reader defect 3: 'A few days, not enough' after 'Any plans for the weekend?' (23 of 30)."""
    out = builds(which)
    n, bad = 0, []
    for gt, turns in _calls(out):
        for prev, cur in zip(turns, turns[1:]):
            text = W.plain(re.sub(r"^(?:\[[^\]]*\]\s*)+", "", cur[1]), gt.get("locale") or "en-US")
            for ans, q in REPLIES:
                if re.search(ans, text):
                    n += 1
                    asked = [s for _, _, s in prev[2] if s.endswith("?")]
                    if not asked or not re.search(q, asked[-1]):
                        bad.append((gt["call_id"], asked[-1:] or prev[1][-60:], text[:50]))
    assert n >= 1 and not bad, (n, bad[:5])


# the reader's time_claims.py phrases (but "January started strong", fine on 5 January) and their kin
MONTH_LATE = {"en": [r"most of {m}", r"the {m} you've had", r"{m} has been (?:busy|brutal|a lot)", r"since {m} started"],
              "de": [r"den (?:ganzen|halben) {m}", r"(?:im|diesen) {m} (?:war|bisher)", r"seit Anfang {m}",
                     r"nach so einem {m}"]}


@pytest.mark.parametrize("which", ["sales_pov", "generated", "varied_de"])
def test_month_phrases_fit_the_day(which, builds):
    """Reader defect 10: 'I've been on the road most of February' on 2 February."""
    out = builds(which)
    bad = []
    for gt, turns in _calls(out):
        d = date.fromisoformat(gt["date"])
        if d.day > 7:
            continue
        months = (MOND if _lang(gt) == "de" else MON).split("|")
        for _, text, _ in turns:
            for rx in MONTH_LATE[_lang(gt)]:
                m = re.search(rx.format(m=months[d.month - 1]), text)
                if m:
                    bad.append((gt["call_id"], gt["date"], m.group(0)))
    assert not bad, (len(bad), bad[:5])


def test_the_specs_stated_figures_are_the_dialogues(builds):
    """Reader defect 10: Northwind's description says "400 brokers across six
    offices" and the calls said "310 brokers"; Brightpath's "3,000 calls a day"
    was said as "3,000 calls a week". A head count or call volume an account's
    description states is the one its calls say (a day's calls are five
    working days' worth a week)."""
    out = builds("sales_pov")
    plan = W._plan(out)
    words = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
    num = r"(\d[\d,]*|" + "|".join(words) + ")"

    def val(s: str) -> int:
        return words.get(s.lower()) or int(s.replace(",", ""))
    n, bad = 0, []
    spec = (W.EXAMPLES / "sales_pov.corpus").read_text(encoding="utf-8")
    stated = dict(re.findall(r'\naccount (\w+)[^\n]*\n(?:  [^\n]*\n)*?  description "([^"]*)"', spec))
    for a in plan["accounts"]:
        desc = stated.get(a["name"], "")
        if not desc:
            continue
        texts = [(out / "transcripts" / f"{c}.txt").read_text(encoding="utf-8") for c in a["calls"]]
        claims = [(val(m.group(1)), rf"{num} {re.escape(m.group(2))}\b") for m in re.finditer(num + r" ([a-z]+s)\b", desc)
                  if m.group(2) not in ("calls",)]
        for m in re.finditer(num + r" calls (a|per) (day|week)", desc):
            per_week = val(m.group(1)) * (5 if m.group(3) == "day" else 1)
            claims += [(per_week, rf"{num} calls (?:a|per) week"), (val(m.group(1)), rf"{num} calls (?:a|per) day")]
        for want, rx in claims:
            for t in texts:
                for m in re.finditer(rx, t):
                    n += 1
                    if val(m.group(1)) != want:
                        bad.append((a["name"], m.group(0), want))
    assert n >= 3 and not bad, (n, bad[:6])


# a question that asks for an opinion, which an opinion answers first ("What do you think, Helen?")
# "Where's your head at, Dana?" after the price, "Does that feel realistic for your team?" after the rollout
# plan: the rep asks for the buyer's view, and an opinion is the answer
ASKS_OPINION = re.compile(r"what do you think|your (?:thoughts|take|reaction|impression)|how does (?:that|this) "
                          r"(?:land|sound|look)|where's your head at|does (?:that|this) (?:feel|seem) |was (?:meinen|halten|denken) Sie|Ihr (?:Eindruck|Bauchgefühl)", re.I)


@pytest.mark.parametrize("which", ["sales_pov", "generated", "varied_de"])
def test_an_opinion_sentence_does_not_open_the_answer(which, builds):
    """Reader defect 3: a moment's or colour's opinion sentence opened the
    reply to a question in 200 of 560 opinion items (gen_en; 20 of 49 in
    sales_pov): "Were you able to take any time off recently?" -> "I'm glad
    we're covering this today." The answer comes first; what remains are turns
    that cut in, or that carry no answer (a beat of their own)."""
    out = builds(which)
    n, opens = 0, []
    for gt in W._gts(out):
        lines = W._txt_lines(out, gt)
        for it in gt.get("moments", []) + gt.get("colour", []):
            if "quote" not in it or it["turn"] >= len(lines):
                continue
            n += 1
            pos, line = lines[it["turn"]]
            name, _, text = line.partition(": ")
            base = pos + len(name) + 2
            # the turn's first sentence of three words or more (past cues and a one-word "Right.")
            first = next((base + m.start(1) for m in SENT.finditer(text) if len(m.group(1).split()) >= 3), None)
            prev = lines[it["turn"] - 1][1].rstrip() if it["turn"] > 0 else ""
            if prev.endswith("?") and first is not None and it["start"] <= first and "INTERRUPTS" not in text \
                    and not ASKS_OPINION.search(prev[-120:]):
                opens.append((gt["call_id"], it["turn"], prev[-50:], it["quote"][:60]))
    # an opinion does answer "What's your reaction?": a few remain (main: 36% of the items)
    assert n >= 20 and len(opens) <= 0.15 * n, (len(opens), n, opens[:5])
