"""A sentence says once where its speaker stands: session 26's outside
reader counted "Here, given six associates, ... shows up fast here." and
"..., for us, on our side anyway." in 312 sentences of 400 generated calls
(a habit's opener or tail and the names pass's stand-in for the account each
adding a place to a sentence that had one). Counted with this file's own
list of place phrases, not the lexicon's."""
import json
import re
from pathlib import Path

import pytest

from .conftest import build_spec, generated_spec

PLACES = re.compile(r"\b(?:around here|here|on our side|on our end|for us|in our case|at our end|in our shop)\b",
                    re.IGNORECASE)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("places")
    spec = generated_spec(tmp / "g.corpus", "--calls", 120, "--seed", 7)
    return build_spec(spec, tmp / "out", only="transcripts", jobs=2)


def test_a_sentence_places_its_speaker_once(corpus):
    calls, twice, examples = 0, 0, []
    for f in sorted((corpus / "transcripts").glob("*.json")):
        calls += 1
        for turn in json.loads(f.read_text(encoding="utf-8"))["turns"]:
            for s in re.findall(r"[^.?!]+[.?!]", turn["text"]):
                if len(PLACES.findall(s)) >= 2:
                    twice += 1
                    examples.append(s.strip())
    assert calls >= 100
    # main at aca899c: 0.78 such sentences a call (312 in 402); what is left is inside a template's own words
    assert twice / calls <= 0.15, (twice, calls, examples[:8])
