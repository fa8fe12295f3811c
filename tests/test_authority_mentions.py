"""Naming the board is no authority signal; the board deciding is.

`disc.metrics.answer` says who looks at the numbers ("The board looks at two
things: pipeline and churn", "Der Vorstand schaut auf zwei Dinge: Wachstum und
Marge"). It was labelled `authority` because a signal term named the body, not
a decision: en-US had the term "the board looks" (and the template a declared
phrase 'The board looks'), de-DE the bare terms "vorstand" and
"geschäftsführung", which `signals --write` had turned into declarations of
the metrics lines, of "Es gibt Druck von der Geschäftsführung, ... zu liefern",
"da schaut die Geschäftsführung genau hin" and "Lesezugriffe für die
Geschäftsführung sind kostenlos" (seeds 3 and 7: 52 and 46 such German labels).
Authority is who decides or signs: the board signing off, approving, being
asked for or presented a decision stays authority."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpusc.render.template.banks import load_bank, raw_bank
from corpusc.render.template.signals import bounds, declaration, marked_templates, term_categories
from tests.signal_guess import expand
from .conftest import generated_spec, build_spec

ROOT = Path(__file__).resolve().parent.parent

# a reader's words, written apart from the banks: a governing body named ...
BODY = re.compile(r"\b(?:board|leadership|execs?|exec team|Vorstand\w*|Geschäftsführung|Leitung)\b", re.I)
# ... as the one who looks at, measures or presses for numbers ...
WATCHES = re.compile(r"\blooks? at\b|\bwatch|\bcares? about\b|\bnotices\b|\bschaut\b|\bmisst\b|\bDruck\b|"
                     r"\bThema im\b|Lesezugriffe|Lesende Zugänge|\bzugesagt\b|\bversprochen\b", re.I)
# ... and what would make the sentence about a decision after all
DECIDES = re.compile(r"\bsign|approv|decid|final (?:say|call|word)|procurement|\bvorleg|\bvorstell|präsentier|"
                     r"entscheid|freigeb|Freigabe|unterschr|zeichn|zustimm|Zustimmung|Einkauf", re.I)

NOT_AUTHORITY = [
    ("en-US", "The board looks at two things: pipeline and churn."),
    ("en-US", "Our board looks at bookings and margin, that's really it."),
    ("en-US", "The board looks at a couple of numbers every quarter."),
    ("en-US", "The board meets in March, so I want early results by then."),
    ("en-US", "It's what the board notices first."),
    ("de-DE", "Der Vorstand schaut auf zwei Dinge: Wachstum und Marge."),
    ("de-DE", "Die Geschäftsführung schaut auf wenige Zahlen: Pipeline und Effizienz."),
    ("de-DE", "Wie misst die Geschäftsführung Erfolg im Team?"),
    ("de-DE", "Es gibt echten Druck von der Geschäftsführung, vor der Jahresplanung zu liefern."),
    ("de-DE", "Dieses Jahr steht für uns Churn ganz oben, das ist das Thema im Vorstand."),
    ("de-DE", "Lesezugriffe für die Geschäftsführung sind kostenlos."),
]
AUTHORITY = [
    ("en-US", "The board signs off on anything over fifty thousand."),
    ("en-US", "I'll need the CFO's approval before we go further."),
    ("en-US", "Our board has to approve anything over that amount."),
    ("en-US", "I'd have to take this to the board first."),
    ("en-US", "The board decides in March."),
    ("en-US", "Procurement handles anything over fifty thousand, so it's out of my hands."),
    ("de-DE", "Der Vorstand muss das freigeben."),
    ("de-DE", "Die Geschäftsführung entscheidet am Ende."),
    ("de-DE", "Das muss ich der Geschäftsführung vorlegen."),
    ("de-DE", "Der Vorstand unterschreibt alles über fünfzigtausend Euro."),
    ("de-DE", "Ohne Zustimmung des Vorstands geht es nicht."),
    ("de-DE", "Die Geschäftsführung fragt jedes Quartal, wie wir die Zahlen erreichen."),
]


@pytest.mark.parametrize("loc,text", NOT_AUTHORITY)
def test_a_body_that_looks_at_numbers_is_no_authority(loc, text):
    assert "authority" not in term_categories(loc, text), text


@pytest.mark.parametrize("loc,text", AUTHORITY)
def test_the_body_deciding_is_authority(loc, text):
    assert "authority" in term_categories(loc, text), text


def _labelled_authority(loc: str):
    """(key, sentence, authority?) of every saying of the sales templates that name a body: a sentence
    is labelled authority when an authority marker (a declared phrase, the key's own category) or an
    authority slot ({dm}) falls in it."""
    slots = {s for s, cs in declaration().slots.items() if "authority" in cs}
    marked, bank = marked_templates(loc), load_bank(loc)
    for key, lst in raw_bank(loc).items():
        if key.startswith("pop.") or not isinstance(lst, list):
            continue
        for raw, t in zip(lst, bank[key]):
            srcs = (raw.get("say") or ()) if isinstance(raw, dict) else (raw,)
            outs = (t.get("say") or ()) if isinstance(t, dict) else (t,)
            for src, x in zip(srcs, outs):
                if not isinstance(src, str) or not BODY.search(src):
                    continue
                m = marked.get(id(x))
                for text, marks, slot_at in expand(m[1] if m else x, 256):
                    cuts = [0] + bounds(text) + [len(text) + 1]
                    for a, b in zip(cuts, cuts[1:]):
                        auth = any(c == "authority" and (a < p <= b or (p == 0 and a == 0)) for p, c in marks) \
                            or any(a <= p < b and s in slots for p, s in slot_at)
                        yield key, text[a:b].strip(), auth


@pytest.mark.parametrize("loc", ["en-US", "de-DE"])
def test_no_template_labels_a_watching_board_authority(loc):
    """Every bank sentence that names a body looking at, measuring or pressing for numbers, and says no
    decision, carries no authority label (on main: disc.metrics.answer, disc.metrics.ask,
    disc.priorities.ask/more and terms.structure.more in de-DE)."""
    bad = sorted({(k, s) for k, s, auth in _labelled_authority(loc)
                  if auth and BODY.search(s) and WATCHES.search(s) and not DECIDES.search(s)})
    assert not bad, bad[:8]


def test_the_scan_sees_labelled_board_sentences():
    """The scan above finds the authority a template declares for a board that decides or is taken
    a decision to (so an empty finding is not a scan that sees nothing)."""
    got = {(k, auth) for loc in ("en-US", "de-DE") for k, s, auth in _labelled_authority(loc) if BODY.search(s)}
    assert ("intro.concern.authority", True) in got and ("triggers.champion", True) in got
    assert ("disc.metrics.answer", False) in got


# ---- on a generated corpus ----------------------------------------------------------------------

def _build(root: Path, name: str, args: list[str]) -> Path:
    return build_spec(generated_spec(root / f"{name}.corpus", *args), root / name, only="transcripts,ground_truth")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("authority")
    return [_build(root, "de", ["--calls", "150", "--seed", "3", "--locale", "de-DE"]),
            _build(root, "en", ["--calls", "150", "--seed", "3"])]


def test_the_rendered_calls_label_the_deciding_board_only(built):
    """German seed 3 (150 calls) said 'Der Vorstand schaut auf ...', 'Wie misst die Geschäftsführung
    Erfolg', 'Druck von der Geschäftsführung' labelled authority 31 times on main; none now, while the
    sentences that sign, approve or hand a decision to the body are labelled authority."""
    watching, deciding = [], []
    for out in built:
        for f in sorted((out / "ground_truth").glob("*.json")):
            gt = json.loads(f.read_text(encoding="utf-8"))
            for s in gt["signals"]["surface"]:
                if s["type"] == "authority" and BODY.search(s["quote"]) and WATCHES.search(s["quote"]) \
                        and not DECIDES.search(s["quote"]):
                    watching.append((gt["call_id"], s["quote"]))
            text = (out / gt["transcript"]).read_text(encoding="utf-8")
            spans = [(s["start"], s["end"]) for s in gt["signals"]["surface"] if s["type"] == "authority"]
            for m in re.finditer(r"[^.?!\n]*\b(?:signs? off|unterschreibt|freigeben)\b[^.?!\n]*[.?!]", text):
                deciding.append(any(a < m.end() and m.start() < b for a, b in spans))
    assert not watching, watching[:8]
    assert len(deciding) >= 10 and all(deciding), (len(deciding), deciding.count(False))
