"""Issue 15 §1/§6 on the contact-center example, as an outside reader found
it: metadata the call contradicts (FCR, sentiment, device, team, holds,
silences), agent commitments and fees nobody labelled, a handover line in
the wrong gender, broken sentences and tics. Each test fails on the corpus
the renderer wrote before (the reviewer's counts are in the docstrings)."""

from __future__ import annotations

import collections
import json
import re
import statistics
from pathlib import Path

import pytest
from click.testing import CliRunner

from .conftest import EXAMPLES

SENT = re.compile(r"[^.!?;]+[.!?;]*")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The example built without audio (transcripts, ground truth, SA payloads)."""
    from corpusc.cli.main import main
    tmp = tmp_path_factory.mktemp("cc")
    text = (EXAMPLES / "contact_center.corpus").read_text(encoding="utf-8")
    text = re.sub(r"\nemit audio \{[^}]*\}\n", "\n", text)
    spec = tmp / "cc.corpus"
    spec.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["build", str(spec), "-o", str(tmp / "out"), "--jobs", "1"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return tmp / "out"


def _calls(out: Path):
    for f in sorted((out / "ground_truth").glob("*.json")):
        g = json.loads(f.read_text(encoding="utf-8"))
        t = json.loads((out / "transcripts" / f.name).read_text(encoding="utf-8"))
        yield g, t


def _sentences(g: dict, t: dict):
    """(turn, role, sentence, label categories of that sentence)."""
    labs = collections.defaultdict(list)
    for x in g["signals"]["surface"]:
        labs[x["turn"]].append(x)
    for tr in t["turns"]:
        for m in SENT.finditer(tr["text"]):
            s = m.group().strip()
            if len(s) < 5:
                continue
            cats = {x["type"] for x in labs[tr["index"]] if s in x["quote"] or x["quote"] in s}
            yield tr, s, cats


# ---- metadata planned with the call ---------------------------------------------------------

def test_fcr_sentiment_and_device_follow_what_the_call_plays(built):
    """Before: FCR true on 16 transferred/escalated/callback calls and false on
    8 resolved ones; 30 complaint or escalation calls with sentiment >= -0.3
    (00137, leaving over fraud handling, +0.68); 7 chats from a landline."""
    from corpusc.plan.population import MOOD_NEGATIVE, negative_call, plot_rules
    FCR_OF_SCENARIO = plot_rules("banking").fcr_of_scenario
    chats = collections.Counter()
    for g, _ in _calls(built):
        m = g["metadata"]
        if m["scenario"] in FCR_OF_SCENARIO:
            assert m["FCR"] is FCR_OF_SCENARIO[m["scenario"]], (g["call_id"], m["scenario"], m["FCR"])
        if negative_call(m):
            assert m["sentiment_score"] < MOOD_NEGATIVE, (g["call_id"], m["complaint_category"], m["sentiment_score"])
        if m["channel"] == "text":
            chats[m["device_type"]] += 1
    assert chats["landline"] == 0 and len(chats) >= 2, chats  # never a landline, and not one device for all


# a lexicon of the caller's words, written apart from the banks
LEXICON = {
    "neg": {"en": r"frustrat|annoy|unacceptable|angry|upset|ridiculous|worried|disappoint|not happy|fed up|never came|"
                  r"complain|terrible|waste|done with|heard that before|unfair|embarrass",
            "de": r"ärger|frustr|unverschämt|inakzeptabel|enttäusch|sauer|nicht zufrieden|unzufrieden|beschwer|"
                  r"schon wieder|nie gekommen|unmöglich|reicht mir|verärgert|sorgen|schlecht|abgespeist|vertröstet"},
    "pos": {"en": r"thank|great|perfect|relief|wonderful|appreciate|helpful|glad|excellent|lovely",
            "de": r"danke|super|prima|perfekt|erleichtert|toll|wunderbar|freut mich|sehr gut|hilfreich|klasse"},
}


def test_sentiment_agrees_with_the_callers_words(built):
    """A lexicon of the caller's words written apart from the banks agrees with
    sentiment_score (before: r = 0.37 with this lexicon, 0.25 with the reader's;
    0.46-0.49 on the branches of session 12, 0.434 after the per-intent causes
    and the caller-consistency rules met. Why: upset callers thanked for
    every offer and answer on the way, 106 times in 52 calls before the close
    ("Nein, danke, ...", "herzlichen Dank für den Hinweis"), so their words
    scored -0.04 on average against +0.49 for neutral callers; an upset caller
    now thanks only in the close, tests/test_cc_slips.py)."""
    xs, ys = [], []
    for g, t in _calls(built):
        lang = g["locale"][:2]
        said = " ".join(tr["text"] for tr in t["turns"] if tr["role"] == "buyer").lower()
        n, p = len(re.findall(LEXICON["neg"][lang], said)), len(re.findall(LEXICON["pos"][lang], said))
        xs.append((p - n) / (p + n + 1))
        ys.append(g["metadata"]["sentiment_score"])
    assert statistics.correlation(xs, ys) >= 0.45


def test_a_hold_is_an_event_of_the_call_not_of_the_channel(built):
    """Before: every voice call had a hold (170 of 170), so "hold = voice"
    was a perfect rule. Now a share per intent (stdlib/domains/plot.json, `hold_share`)."""
    held = collections.Counter()
    voice = collections.Counter()
    for g, _ in _calls(built):
        m = g["metadata"]
        if m["channel"] == "voice":
            voice[m["intent"]] += 1
            held[m["intent"]] += m["Hold_time"] > 0
    share = sum(held.values()) / sum(voice.values())
    assert 0.35 <= share <= 0.75, share
    rates = [held[i] / voice[i] for i in voice]
    assert max(rates) - min(rates) >= 0.25, rates  # intents differ: a loan inquiry holds more than an address change


def test_dead_air_is_short_pauses(built):
    """Before: 59 of 170 voice calls had a silence of 30 s or more (00010: 95.4 s)."""
    from corpusc.plan.population import SILENCE_MAX_SEC
    longest = 0.0
    for g, _ in _calls(built):
        for p in g["signals"]["behavioral"]["pauses"]:
            if p["kind"] == "silence":
                longest = max(longest, float(p["seconds"]))
    assert 0 < longest <= SILENCE_MAX_SEC + 0.05


def test_pauses_split_exactly_and_stay_under_the_cap():
    from corpusc.render.template.service import _pauses
    for tenths, n in ((350, 5), (30, 3), (160, 2), (795, 10), (5, 3)):
        parts = _pauses(tenths, [0.3 + (i * 0.37) % 1 for i in range(n)], 80)
        assert sum(parts) == tenths and min(parts) >= 1 and max(parts) <= max(80, -(-tenths // n))


def test_an_intent_goes_to_its_team(built):
    """Before: intent and team unrelated (96 of 200 calls fit; a fee complaint
    handled by tech_support). Now every call goes to one of its intent's teams
    whenever an agent of them is on shift and speaks the call's language."""
    from corpusc.plan.population import plot_rules
    ROUTES = plot_rules("banking").routes
    fit = sum(g["metadata"]["team"] in ROUTES[g["metadata"]["intent"]] for g, _ in _calls(built))
    assert fit >= 190, fit
    agents = collections.Counter(g["metadata"]["agent"] for g, _ in _calls(built))
    assert set(agents.values()) == {25}, agents  # `agent uniform` keeps its exact quotas


def test_verify_fails_on_metadata_the_call_contradicts(built, tmp_path):
    import shutil
    from corpusc.builder.verify import verify
    from corpusc.diagnostics.model import Sink
    out = tmp_path / "out"
    shutil.copytree(built, out)
    shutil.copy(built.parent / "cc.corpus", tmp_path / "cc.corpus")  # the manifest names the spec relative to it
    changed = set()
    for f in sorted((out / "ground_truth").glob("*.json")):
        g = json.loads(f.read_text(encoding="utf-8"))
        m = g["metadata"]
        if m["scenario"] == "callback_scheduled" and "fcr" not in changed:
            m["FCR"] = True
            changed.add("fcr")
        elif m["complaint_category"] == "fees" and "sentiment" not in changed:
            m["sentiment_score"] = 0.6
            changed.add("sentiment")
        elif m["channel"] == "text" and "device" not in changed:
            m["device_type"] = "landline"
            changed.add("device")
        else:
            continue
        f.write_text(json.dumps(g), encoding="utf-8")
        _rehash(out, f"ground_truth/{f.name}")
    assert changed == {"fcr", "sentiment", "device"}
    sink = Sink()
    verify(out, sink)
    msgs = " ".join(d.message for d in sink.items if d.code == "E0704")
    assert "FCR True contradicts scenario `callback_scheduled`" in msgs
    assert "sentiment_score 0.6 for a call that plays a complaint" in msgs
    assert "device_type `landline` contradicts channel `text`" in msgs


def _rehash(out: Path, rel: str) -> None:
    """The manifest's sha256 of `rel` brought up to date (the metadata checks read files whose hash holds)."""
    import hashlib
    path = out / "manifest.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    sha = hashlib.sha256((out / rel).read_bytes()).hexdigest()
    for files in [doc.get("files") or {}] + [c.get("files") or {} for c in doc["calls"].values()]:
        if rel in files:
            files[rel] = sha
    path.write_text(json.dumps(doc), encoding="utf-8")


# ---- labels ----------------------------------------------------------------------------------

def test_agent_commitments_are_next_steps_and_filler_is_not(built):
    """Before: 0 of about 250 agent commitments labelled (a callback, "I'll also
    send you a short summary", a reference number), while "the next step is
    straightforward, I guarantee it" was labelled next_step."""
    callbacks = labelled = 0
    for g, t in _calls(built):
        agent_next = [s for tr, s, cats in _sentences(g, t) if tr["role"] == "seller" and "next_step" in cats]
        assert not [s for s in agent_next if re.search(r"next step is|nächste Schritt ist", s)], g["call_id"]
        if g["metadata"]["scenario"] == "callback_scheduled":
            callbacks += 1
            labelled += bool(agent_next)
    assert callbacks and labelled == callbacks, (labelled, callbacks)


def test_fees_and_budgets_are_labelled_the_same_way_each_time(built):
    """Before: 30 labelled of about 400 fee sentences; "festes Einkommen, da
    zählt jede Gebühr" unlabelled while "knappes Budget, da zählt jede Gebühr"
    was budget."""
    fee = re.compile(r"\bfees?\b|gebühr|\binterest rate|zinssatz", re.I)
    budget = re.compile(r"festes Einkommen|knappes Budget|fixed income|tight budget")
    n = hit = 0
    for g, t in _calls(built):
        for tr, s, cats in _sentences(g, t):
            if fee.search(s):
                n += 1
                hit += bool(cats & {"pricing", "budget"})
            if budget.search(s):
                assert "budget" in cats, (g["call_id"], s)
    assert n >= 100 and hit / n >= 0.95, (hit, n)


def test_a_fee_dispute_is_the_planned_complaint(built):
    """Before: 00001 disputes a fee ("das stimmt nicht") with complaint_category
    no_complaint. A billing question asks; the dispute is `complaint.fees`'s."""
    dispute = re.compile(r"don't think that's right|shouldn't have been|stimmt nicht|kann eigentlich nicht sein|"
                         r"beschweren|complain|not happy with the fees|nicht zufrieden", re.I)
    for g, t in _calls(built):
        if g["metadata"]["complaint_category"] == "no_complaint":
            assert not dispute.search(t["turns"][1]["text"]), (g["call_id"], t["turns"][1]["text"])


# ---- wording ---------------------------------------------------------------------------------

def test_the_colleague_is_named_in_the_gender_of_who_handed_over(built):
    """Before: "Mein Kollege…" in all 8 German pickups, after Anna, Elif or Sophie."""
    female = {"anna", "mira", "elif", "sophie"}  # the roster's genders (stdlib/domains/contact_center.corpus)
    seen = 0
    for g, t in _calls(built):
        if g["locale"] != "de-DE" or len(g["participants"]) < 3:
            continue
        she = g["metadata"]["agent"] in female
        for tr in t["turns"]:
            if re.search(r"Notizen|hat mir Ihre", tr["text"]) and tr["speaker"] not in ("agent", "caller"):
                seen += 1
                wrong = r"Mein Kollege\b|meines Kollegen" if she else r"Meine Kollegin|meiner Kollegin"
                assert not re.search(wrong, tr["text"]), (g["call_id"], tr["text"])
    assert seen


def test_no_broken_sentences_and_no_tic_in_most_calls(built):
    """Before: "I guarantee it you that", "wurde sie zweimal vor", "noch nie
    abgespeist worden"; "sag ich mal" in 101 of 160 German calls, ", wie
    gesagt" in 81, ", as a rule" and ", as I said" in 20 of 40 English ones."""
    broken = re.compile(r"guarantee it you|wurde sie (zweimal|schon einmal) vor|wurde ich noch nie \w+ worden")
    calls = collections.Counter()
    tics = collections.Counter()
    for g, t in _calls(built):
        lang = g["locale"][:2]
        calls[lang] += 1
        text = " ".join(tr["text"] for tr in t["turns"])
        assert not broken.search(text), (g["call_id"], broken.search(text).group())
        for tic in ("sag ich mal", ", wie gesagt", ", as a rule", ", as I said"):
            tics[tic] += tic in text
    assert tics["sag ich mal"] / calls["de"] <= 0.5, tics
    assert tics[", wie gesagt"] / calls["de"] <= 0.3, tics
    assert tics[", as a rule"] / calls["en"] <= 0.35 and tics[", as I said"] / calls["en"] <= 0.35, tics


# an amount as a reader finds it: a figure before a currency word (limits, rates and salaries left out)
AMOUNT = re.compile(r"(\d[\d.,]*)\s*(?:Euro|euros?|EUR|€)\b", re.I)
NOT_AN_AMOUNT = re.compile(r"limit|Zins|interest|netto|salary|Gehalt|Rate\b|monthly|instal", re.I)
# said in words ("zwölftausend Euro", "eighteen thousand euros"): thousands, else hundreds
WORDED = re.compile(r"\b([a-zäöü]*(?:tausend|hundert)[a-zäöü]*|(?:[a-z]+[ -])?(?:thousand|hundred))\s+(?:Euro|euros?)\b",
                    re.I)
BUCKETS = {"lt_100": (0, 100), "from_100_to_1000": (100, 1000), "gt_1000": (1000, float("inf"))}


def _figures(sentence: str) -> list[float]:
    out = [float(x.replace(".", "").replace(",", ".")) for x in AMOUNT.findall(sentence)]
    return out + [1000.0 if re.search("tausend|thousand", w, re.I) else 100.0 for w in WORDED.findall(sentence)]


def test_the_amount_bucket_is_the_amount_the_call_says(built):
    """reader18: 171 of 220 calls with an amount bucket said no amount, and a
    20,000-euro loan was labelled 'lt_100' (the bucket was drawn apart from the
    intent). Now the bucket is planned with the intent (stdlib/domains/joint.json:
    a login or an address change names no amount, a loan is in thousands) and a
    call with an amount says it. Main at c7b62eb: 30 of 110 amount calls said a
    figure, 8 no-amount calls did; now at least 3 in 4, and every figure said
    lies inside its call's bucket."""
    said = total = loose = 0
    outside = []
    for g, t in _calls(built):
        b = g["metadata"]["amount_bucket"]
        figures = [x for tr in t["turns"] for s in SENT.findall(tr["text"]) if not NOT_AN_AMOUNT.search(s)
                   for x in _figures(s)]
        if b == "no_amount":
            loose += bool(figures)
            continue
        total += 1
        said += bool(figures)
        lo, hi = BUCKETS[b]
        outside += [(g["call_id"], b, x) for x in figures if not lo <= x <= hi]
    assert not outside, outside[:5]
    assert total and said / total >= 0.75, (said, total)
    assert loose <= 3, loose
