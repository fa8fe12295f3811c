"""The quality figures' metric functions (builder/quality.py) on small examples
computed by hand, so the numbers the bench and coverage.md report mean what
their definitions say."""

from __future__ import annotations

import random

import pytest

from corpusc.builder import quality as Q


def test_words_drop_cues_and_punctuation_and_keep_inner_apostrophes():
    assert Q.words("Hello, world! [hesitant] It's a well-known fact.") == [
        "hello", "world", "it's", "a", "well-known", "fact"]
    assert Q.words("Grüß Gott - 42 Äpfel") == ["grüß", "gott", "42", "äpfel"]


def test_sentences_split_at_end_punctuation():
    assert Q.sentences("One two. Three four? Five! Six… seven") == [
        "One two.", "Three four?", "Five!", "Six…", "seven"]
    assert Q.sentences("No end") == ["No end"]


def test_distinct_2_of_known_tokens_does_not_cross_turns():
    # a b a b: bigrams ab, ba, ab -> 2 distinct of 3
    assert Q.distinct_n([["a", "b", "a", "b"]], 2) == (pytest.approx(2 / 3), 3)
    # two turns: ab | ba -> 2 of 2 (the b->b across the turn boundary is not a bigram)
    assert Q.distinct_n([["a", "b"], ["b", "a"]], 2) == (1.0, 2)
    assert Q.distinct_n([["a", "a", "a", "a", "a"]], 2) == (0.25, 4)
    assert Q.distinct_n([], 2) == (0.0, 0)


def test_take_tokens_cuts_the_last_turn():
    assert Q.take_tokens([["a", "b", "c"], ["d", "e"], ["f"]], 4) == [["a", "b", "c"], ["d"]]
    assert Q.take_tokens([["a"]], 10) == [["a"]]


def test_distinct_2_sample_takes_the_first_words_in_sha256_order():
    # sha256: c3 7c1c..., c2 9c0a..., c1 d0f6...: the first 6 words are x y | a b a b,
    # bigrams xy ab ba ab -> 3 distinct of 4; c1 is never read
    calls = {"c1": [["q", "r", "s"]], "c2": [["a", "b", "a", "b"]], "c3": [["x", "y"]]}
    s = Q.Distinct2Sample(budget=6)
    for cid in ("c1", "c2", "c3"):  # arrival order does not matter
        s.add(cid, calls[cid])
    assert s.result() == {"distinct_2": 0.75, "tokens": 6, "calls": 2}
    short = Q.Distinct2Sample(budget=100)  # fewer words than the budget: all of them
    for cid, turns in calls.items():
        short.add(cid, turns)
    assert short.result() == {"distinct_2": round(5 / 6, 4), "tokens": 9, "calls": 3}  # xy ab ba ab qr rs


def test_distinct_2_sample_streams_with_bounded_memory_and_matches_the_batch_figure():
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(40)]
    calls = {f"call{i}": [[rng.choice(vocab) for _ in range(rng.randint(1, 30))] for _ in range(5)]
             for i in range(400)}
    s = Q.Distinct2Sample(budget=300)
    most = 0
    for cid, turns in calls.items():
        s.add(cid, turns)
        most = max(most, len(s.heap))
    order = sorted(calls, key=Q.sample_key)
    value, _ = Q.distinct_n(Q.take_tokens([t for c in order for t in calls[c]], 300), 2)
    assert s.result()["distinct_2"] == round(value, 4)
    assert s.result()["tokens"] == 300
    assert most < 20  # about 300 words of calls of ~75 words, never the 400 calls


def test_verbatim_share_on_three_tiny_calls():
    a = ["I would like to check my balance today. Thanks."]
    b = ["i would like to check my BALANCE today!", "Something else entirely different here now."]
    c = ["This sentence only lives in call c. This sentence only lives in call c."]
    # 6+-word sentence occurrences: A 1 (balance), B 2 (balance, something), C 2 (the same
    # sentence twice in one call). Only "balance" occurs in another call: 2 of 5.
    assert Q.verbatim_share([("a", a), ("b", b), ("c", c)]) == 0.4
    assert Q.verbatim_share([("a", a)]) == 0.0
    v = Q.VerbatimShare(keep_text=True)
    for cid, texts in (("a", a), ("b", b), ("c", c)):
        v.add(cid, [k for t in texts for k in Q.sentence_keys(t)])
    r = v.result(top=3)
    assert (r["sentences"], r["shared"]) == (5, 2)
    assert r["most_repeated"] == [{"sentence": "i would like to check my balance today", "occurrences": 2}]


def test_turn_words_are_the_words_of_each_sentence():
    """One scan for words and sentence ends gives what the definitions give:
    `words` of each of the turn's `sentences`, and the keys of 6+ words."""
    rng = random.Random(3)
    parts = ["Well", "it's", "a", "well-known", "fact", "um", "Grüß", "Äpfel", "42", ".", "?", "!", "…", ",",
             " ", "  ", "\t", "[hesitant]", "[laughs]", "’s", "-", "'", "O'Neil", "x-ray"]
    for _ in range(3000):
        text = "".join(rng.choice(parts) + rng.choice(["", " ", " "]) for _ in range(rng.randrange(40)))
        want_words = [w for s in Q.sentences(text.lower()) for w in Q.words(s)]
        want_keys = [" ".join(Q.words(s)) for s in Q.sentences(text.lower()) if len(Q.words(s)) >= 3]
        assert Q.turn_words(text, 3) == (want_words, want_keys), text


def test_sentence_keys_keep_six_words_or_more():
    assert Q.sentence_keys("Too short here. This one has exactly six words.") == [
        "this one has exactly six words"]


def test_fillers_by_locale_list():
    assert Q.filler_count("Um, I think, you know, it's fine. Well, uh, sure.", "en-US") == 4
    assert Q.filler_count("Do you know the answer? I mean it.", "en-US") == 0
    assert Q.filler_count("Äh, ich weiß nicht, sozusagen. Hm.", "de-DE") == 3
    assert Q.filler_count("Also, das passt.", "de-DE") == 1
    assert Q.filler_count("Also, that works.", "en-US") == 0
    # no locale: every locale's list
    assert Q.filler_count("Um, äh, fine.") == 2


def test_repetitions_count_immediate_repeats():
    assert Q.repetitions(["i", "i", "think", "think", "so"]) == 2
    assert Q.repetitions(["a", "b", "a"]) == 0


def test_gaps_overlaps_and_runs():
    turns = [("rep", 0.0, 1.0), ("buyer", 1.4, 2.0), ("rep", 1.9, 3.0), ("rep", 3.0, 3.5)]
    assert Q.gaps([(s, e) for _, s, e in turns]) == pytest.approx([0.4, -0.1, 0.0])
    assert Q.overlaps(turns) == 1  # the rep's second turn starts while the buyer speaks
    assert Q.overlaps(turns, min_sec=0.2) == 0
    sides = [("r", "seller"), ("b1", "buyer"), ("b2", "buyer"), ("b2", "buyer"), ("r", "seller")]
    assert Q.runs(sides) == {"same_speaker": 1, "buyer_buyer": 2}


def test_intersections_of_two_channels():
    a = [(0.0, 2.0), (5.0, 6.0)]
    b = [(1.0, 3.0), (5.5, 5.6), (7.0, 8.0)]
    assert Q.intersections(a, b) == [(1.0, 2.0), (5.5, 5.6)]
    assert Q.intersections(a, b, min_sec=0.2) == [(1.0, 2.0)]


def test_distribution_by_hand():
    d = Q.distribution([0.4, 1.0, 0.4, 0.4])
    # sorted 0.4 0.4 0.4 1.0: p90 at rank 2.7 -> 0.4 + 0.7 * 0.6
    assert d == {"n": 4, "min": 0.4, "median": 0.4, "p90": 0.82, "max": 1.0, "distinct": 2, "modal_share": 0.75}
    assert Q.distribution([]) == {"n": 0}


def test_language_and_events_by_the_evaluator_lexicon():
    assert Q.language_of(Q.words("Ich habe die Karte nicht dabei, bitte")) == "de-DE"
    assert Q.language_of(Q.words("I have the card with me, thanks")) == "en-US"
    assert Q.language_of(["xyz"]) is None
    assert Q.mentions(["Let me transfer you to billing."], "en-US", "transfer") is True
    assert Q.mentions(["Ich verbinde Sie mit der Fachabteilung."], "de-DE", "transfer") is True
    assert Q.mentions(["Gern schicke ich Ihnen eine Bestätigung zum Weiterleiten."], "de-DE", "transfer") is False
    assert Q.mentions(["Thanks for holding."], "en-US", "hold") is True
    assert Q.mentions(["I'll ask my supervisor."], "en-US", "escalation") is True
    assert Q.mentions(["Danke."], "xx-XX", "hold") is None
    assert Q.mentions(["Hören Sie mich?"], "de-DE", "phone_only") is True
    assert Q.mentions(["I'll send the link here in the chat."], "en-US", "phone_only") is False


def test_quality_of_two_calls():
    calls = [("c1", [("seller", "Hi there, how are you today my friend?"), ("buyer", "Um, fine.")]),
             ("c2", [("seller", "Hi there, how are you today my friend?"), ("buyer", "Good, good.")])]
    q = Q.quality(calls)
    assert (q["calls"], q["turns"], q["words"]) == (2, 4, 20)  # 8 + 2 + 8 + 2
    assert q["verbatim_share"] == 1.0 and q["verbatim_sentences"] == 2  # the one 8-word sentence, in both calls
    assert q["fillers_per_100_words"] == round(100 * 1 / 20, 2)
    assert q["repetitions_per_100_words"] == round(100 * 1 / 20, 2)  # "good good"
    # bigrams: 7 + 1 + 7 + 1 = 16, distinct: the 7 of the greeting, "um fine", "good good" -> 9
    assert q["distinct_2"] == round(9 / 16, 4) and q["distinct_2_tokens"] == 20
    assert q["adjacent_same_side"] == {}
    assert q["questions_per_rep_turn"] == 1.0


def test_quality_by_language_equals_each_language_measured_alone():
    """The corpus's accumulators stand for the first language until a second
    shows (then that language's are split off): each language's figures are
    still those of its calls alone, whichever language comes first."""
    en = ["Thank you for calling, how can I help you today?", "I would like to check the balance of my account.",
          "Sure, and what is the number on the account please?"]
    de = ["Vielen Dank für Ihren Anruf, wie kann ich Ihnen heute helfen?",
          "Ich möchte gern den Stand von meinem Konto wissen, bitte.", "Gern, und wie ist die Nummer von dem Konto?"]
    rng = random.Random(5)
    for order in ("en-first", "de-first", "mixed"):
        calls = []
        for i in range(60):
            lines = de if (order == "de-first" and i < 30) or (order == "mixed" and rng.random() < 0.4) \
                or (order == "en-first" and i >= 30) else en
            turns = [(("seller", "buyer")[k % 2], rng.choice(lines) + f" Case {rng.randrange(9)} and {i % 7}.")
                     for k in range(4)]
            calls.append((f"c{i}", turns))
        q = Q.quality(calls)
        assert set(q["by_language"]) == {"en-US", "de-DE"}
        for loc, got in q["by_language"].items():
            alone = Q.quality([c for c in calls if Q.language_of(
                w for _, t in c[1] for w in Q.turn_words(t)[0]) == loc])
            assert (got["distinct_2"], got["verbatim_share"], got["verbatim_sentences"]) == (
                alone["distinct_2"], alone["verbatim_share"], alone["verbatim_sentences"]), (order, loc)
        assert Q.quality([c for c in calls if c[1][0][1].split(" Case")[0] in en])["by_language"] == {}


def test_coverage_quality_equals_what_the_emitted_transcripts_measure(tmp_path):
    """coverage.json's figures come from the turns as rendered; measured again
    from the transcripts a build wrote (as the bench does), they agree."""
    import json
    import subprocess
    import sys
    from tests.conftest import EXAMPLES
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "corpusc", "build", str(EXAMPLES / "contact_center.corpus"), "-o", str(out),
                    "--only", "transcripts", "--jobs", "1"], check=True, capture_output=True)
    calls = []
    for f in sorted((out / "transcripts").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        calls.append((doc["call_id"], [(t["role"], t["text"]) for t in doc["turns"]]))
    emitted = Q.quality(calls)
    cov = json.loads((out / "coverage.json").read_text(encoding="utf-8"))["quality"]
    assert cov["calls"] == 200
    for key in ("distinct_2", "verbatim_share", "fillers_per_100_words", "by_language", "words"):
        assert cov[key] == emitted[key], key
    assert set(cov["by_language"]) == {"de-DE", "en-US"}  # the example's two call languages, told by their words
    md = (out / "coverage.md").read_text(encoding="utf-8")
    assert f"| distinct-2 at 20k words | {cov['distinct_2']} | >= 0.5 |" in md


def test_filler_count_on_lower_cased_ascii_equals_the_ignorecase_count():
    """The count's shortcut (lower-cased ASCII text, no IGNORECASE) gives the
    count of the IGNORECASE pattern on every kind of text, in every case, for
    each locale's list and for all of them; a pattern that names an upper-case
    letter or a character IGNORECASE pairs with an ASCII one takes no shortcut."""
    import re
    rnd = random.Random(15)
    base = ["Um, I think, you know, it's fine. Well, uh, sure.", "UHM. Hmm, ERM, well, like, KIND OF, ok",
            "Äh, ich weiß nicht, sozusagen. Hm. Also, das passt. NA JA, gut.", "[hesitant] um, so. Well, I MEAN, yes"]
    texts = list(base)
    for _ in range(3000):
        s = rnd.choice(base)
        i = rnd.randrange(len(s) + 1)
        s = s[:i] + rnd.choice(["", " ", ", ", ". ", "ſ", "K", "\n", "um", "UH", "Well,", ", like,"]) + s[i:]
        texts.append(rnd.choice([s, s.upper(), s.lower(), s.swapcase()]))
    counted = 0
    for loc in (None, "en-US", "de-DE", "fr-FR"):
        exact = Q._fillers(loc)
        assert Q._fillers_lower(loc) is not None  # the lists as they are take the shortcut
        for s in texts:
            want = len(exact.findall(Q.CUE.sub(" ", s).strip()))
            assert Q.filler_count(s, loc) == want, (loc, s)
            counted += want
    assert counted
    Q._fillers.cache_clear()
    Q._fillers_lower.cache_clear()
    try:
        for pats in (["[A-Z]m"], ["ſo"], [r"\Bum"]):
            Q.lexicon()["fillers"]["xx-XX"] = pats
            assert Q._fillers_lower("xx-XX") is None, pats
            Q._fillers.cache_clear()
            Q._fillers_lower.cache_clear()
            assert Q.filler_count("SO, Um, Xm", "xx-XX") == len(re.compile(pats[0], re.I | re.M).findall("SO, Um, Xm"))
            Q._fillers.cache_clear()
            Q._fillers_lower.cache_clear()
    finally:
        Q.lexicon()["fillers"].pop("xx-XX", None)
        Q._fillers.cache_clear()
        Q._fillers_lower.cache_clear()
