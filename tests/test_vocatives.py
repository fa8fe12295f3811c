"""A person's name said to them ("Thanks, Cleo.") once in a while, as people
do, not in most turns: session 26's outside reader counted a rep naming the
buyer in 61% of the rep's turns (9.2 times a call, 29 at most) and buyers
ending a sentence with ", Jordan." 3.6 times a call in 400 generated calls.
Counted here from the transcripts with a pattern of this file (a first name
after a comma, before a stop or comma), not from the renderer's."""
import json
import re
from pathlib import Path

import pytest

from .conftest import build_spec, generated_spec


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("voc")
    spec = generated_spec(tmp / "g.corpus", "--calls", 120, "--seed", 7)
    return build_spec(spec, tmp / "out", only="transcripts", jobs=2)


def _calls(out: Path):
    for f in sorted((out / "transcripts").glob("*.json")):
        yield json.loads(f.read_text(encoding="utf-8"))


def test_a_name_is_said_to_its_bearer_once_in_a_while(corpus):
    """In a call of two, each person's name after a comma at most three times (the first, a goodbye, one
    more) and once more per 500 words of the call; and a rep names the buyer in at most a quarter of the rep's
    turns over the corpus (main: three in five)."""
    over, rep_turns, naming = [], 0, 0
    for t in _calls(corpus):
        if len(t["participants"]) != 2:
            continue  # with three or more, a question says whom it is for
        side = {p["id"]: p.get("side") for p in t["participants"]}
        first = {tu["speaker"]: (tu["name"] or "").split()[0] for tu in t["turns"]}
        words = sum(len(tu["text"].split()) for tu in t["turns"])
        for who, name in set(first.items()):
            rx = re.compile(r", " + re.escape(name) + r"[.?!,;]")
            said = [tu for tu in t["turns"] if tu["speaker"] != who and rx.search(tu["text"])]
            n = sum(len(rx.findall(tu["text"])) for tu in said)
            if n > 3 + words // 500:
                over.append((t["call_id"], name, n, words))
            if side.get(who) != "seller":
                rep_turns += sum(1 for tu in t["turns"] if side.get(tu["speaker"]) == "seller")
                naming += sum(1 for tu in said if side.get(tu["speaker"]) == "seller")
    assert rep_turns > 500
    assert not over, over[:10]
    assert naming / rep_turns <= 0.25, (naming, rep_turns)


def test_the_first_time_a_name_is_said_to_someone_it_stays(corpus):
    """Thinning keeps each person's first vocative: calls where a rep says the buyer's name after a comma at
    all are most calls (no pass removed every one)."""
    calls = named = 0
    for t in _calls(corpus):
        side = {p["id"]: p.get("side") for p in t["participants"]}
        buyers = {(tu["name"] or "").split()[0] for tu in t["turns"] if side.get(tu["speaker"]) != "seller"}
        rx = re.compile(r", (?:" + "|".join(map(re.escape, buyers)) + r")[.?!,;]")
        calls += 1
        named += any(side.get(tu["speaker"]) == "seller" and rx.search(tu["text"]) for tu in t["turns"])
    assert named / calls >= 0.6, (named, calls)


@pytest.fixture(scope="module")
def german(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("voc_de")
    spec = generated_spec(tmp / "g.corpus", "--calls", 120, "--seed", 11, "--locale", "de-DE")
    return build_spec(spec, tmp / "out", only="transcripts", jobs=2)


def test_a_german_name_is_said_once_a_turn(german):
    """German keeps its names across turns (lexicon `vocative_gap` 0: its stock lines lean on them to differ)
    but says each at most once a turn: "Hören Sie mich gut, Fiona? Wie läuft es bei den Disponenten diese
    Woche, Fiona?" (b9c68b9: 549 of 2,996 turns of the two-party calls of 200 generated calls, seed 11). The
    goodbyes keep theirs; a call of three or more is left out (a question says whom it asks)."""
    turns, twice = 0, []
    for t in _calls(german):
        if len(t["participants"]) != 2:
            continue
        for tu in t["turns"][:-2]:
            other = next(p["name"] for p in t["participants"] if p["id"] != tu["speaker"]).split()[0]
            turns += 1
            if len(re.findall(r", " + re.escape(other) + r"[.?!,;—-]", tu["text"])) > 1:
                twice.append((t["call_id"], tu["text"][:160]))
    assert turns > 500, turns
    assert not twice, (len(twice), twice[:5])


def test_german_names_stay_in_most_calls(german):
    """Once a turn is not never: a rep still says the buyer's name in most calls' turns."""
    rep_turns = naming = 0
    for t in _calls(german):
        side = {p["id"]: p.get("side") for p in t["participants"]}
        buyers = {p["name"].split()[0] for p in t["participants"] if p.get("side") != "seller"}
        rx = re.compile(r", (?:" + "|".join(map(re.escape, buyers)) + r")[.?!,;—-]")
        for tu in t["turns"]:
            if side.get(tu["speaker"]) == "seller":
                rep_turns += 1
                naming += bool(rx.search(tu["text"]))
    assert rep_turns > 500 and naming / rep_turns >= 0.3, (naming, rep_turns)
