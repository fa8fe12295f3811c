"""Personas show in behaviour, never by reciting catalog text (issue 15 §3):
the classifier a practitioner tries first, naive Bayes over each speaker's
word trigrams trained on half the accounts of a generated 300-call spec,
must not find the persona by its catch-phrases (<= 60%), while how the
speaker talks (turns, length, questions, fillers, hedges, talk share) still
tells personas apart well above chance. Both are corpusc.score.baselines'
(`corpusc score DIR --baseline persona-trigrams|persona-behaviour`)."""

from __future__ import annotations


import pytest

from corpusc.score.baselines import persona_scores


from .conftest import generated_spec, build_spec


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("personas")
    out = build_spec(generated_spec(root / "gen.corpus", "--calls", 300, "--seed", 1), root / "out")
    return persona_scores(str(out))


def test_trigrams_do_not_find_the_persona(built):
    """On main before session 11: 92% (each voice's own catch-phrases)."""
    assert built["participants"] >= 300 and built["personas"] == 7
    assert built["trigrams"] <= 0.6, built


def test_behaviour_still_tells_personas_apart(built):
    assert built["behaviour"] >= built["majority"] + 0.12, built
