"""The contact-center dialogue transcript's words per language are data
(backends/transcripts/locale/LANG.json), not tables in the backend's code
(the audit of issue 14 found its German labels, weekdays and speaker names
written in dialogue.py): every language file says the same keys, and the
backend's code names no word of any of them."""

from __future__ import annotations

import json
from importlib.resources import files

from corpusc.backends.transcripts import dialogue

LOCALE = files("corpusc.backends.transcripts").joinpath("locale")


def _docs() -> dict[str, dict]:
    return {p.name[:-5]: json.loads(p.read_text(encoding="utf-8")) for p in LOCALE.iterdir() if p.name.endswith(".json")}


def test_every_language_file_says_the_same_keys():
    docs = _docs()
    assert {"en", "de"} <= set(docs)
    for lang, doc in docs.items():
        assert set(doc["labels"]) == set(docs["en"]["labels"]), lang
        assert set(doc["speakers"]) == {"agent", "customer"}, lang
        assert {"true", "false"} <= set(doc["values"]), lang
        assert doc["decimal"] in (".", ","), lang


def test_the_backend_code_names_no_localized_word():
    code = files("corpusc.backends.transcripts").joinpath("dialogue.py").read_text(encoding="utf-8")
    for lang, doc in _docs().items():
        words = set(doc["labels"].values()) | set(doc["values"].values()) | set(doc["speakers"].values())
        # words that are also code ("Agent", a key written as it is) are not language knowledge
        said = sorted(w for w in words if len(w) > 3 and f'"{w}"' in code and w not in ("Agent", "Team"))
        assert not said, (lang, said)


def test_a_german_call_speaks_german_labels_and_an_unknown_language_english():
    assert dialogue._lang("de-DE") == "de" and dialogue._lang("fr-FR") == "en"
    assert dialogue._value("weekday", "mon", "de") == "Montag" and dialogue._value("x", 1.5, "de") == "1,5"
    assert dialogue._value("x", True, "en") == "yes" and dialogue._value("x", 1.5, "en") == "1.5"
