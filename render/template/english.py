"""The en-US rules that restate the spec's prose in place: the stdlib's
personas, objections and signals are written in English ("asks for the order
form"), and an English call can say them in the speaker's own words ("Could
you send me the order form?"), in the past tense ("Jens asked for ...") or in
the first person. Suffix rules are code; the word lists are the en-US lexicon's
`restate` data. Registered for en-US in `morphology.RESTATE`."""

from __future__ import annotations

import re
from typing import Any


class English:
    def __init__(self, data: dict[str, Any]):
        self.irregular_past: dict[str, str] = data["past"]
        self.irregular_base: dict[str, str] = data["base"]
        fp = data["first_person"]
        self._fp_map = dict(fp)
        self._fp_re = re.compile(r"\b(" + "|".join(a for a, _ in fp) + r")\b")
        self._fp_fix = [tuple(x) for x in data["first_person_fix"]]
        we = data["we"]
        self._we_map = dict(we)
        self._we_re = re.compile(r"\b(" + "|".join(a for a, _ in we) + r")\b")
        self._listener = [tuple(x) for x in data["to_listener"]]
        self._reported = [tuple(x) for x in data["reported"]]
        verbs = data["signal_verbs"]
        self._ask, self._confirm, self._want = (tuple(verbs[k]) for k in ("ask", "confirm", "want"))
        self._wh = tuple(data["question_words"])
        self._ask_prefixes = [tuple(x) for x in data["ask_prefixes"]]
        self._that = data["that"]

    def past(self, verb: str) -> str:
        v = verb.lower()
        if v in self.irregular_past:
            return self.irregular_past[v]
        if v.endswith("ies"):
            return v[:-3] + "ied"
        if v.endswith(("ches", "shes", "sses", "xes")):
            return v[:-2] + "ed"
        if v.endswith("s"):
            v = v[:-1]
        return v + "d" if v.endswith("e") else v + "ed"

    def base(self, verb: str) -> str:
        v = verb.lower()
        if v in self.irregular_base:
            return self.irregular_base[v]
        if v.endswith("ies"):
            return v[:-3] + "y"
        if v.endswith(("ches", "shes", "sses", "xes")):
            return v[:-2]
        return v[:-1] if v.endswith("s") else v

    def first_person(self, s: str) -> str:
        """"her team" -> "my team": a third-person phrase said by that person."""
        fp = self._fp_map
        s = self._fp_re.sub(lambda m: fp[m.group(1)], s)
        for a, b in self._fp_fix:
            s = s.replace(a, b)
        return s

    def we(self, s: str) -> str:
        """A buyer-perspective phrase ("their own data") in the buyer's words ("our own data")."""
        we = self._we_map
        return self._we_re.sub(lambda m: we[m.group(1)], s)

    def to_listener(self, s: str) -> str:
        """A resolution written about the buyer ("show the buyer's numbers") said to them."""
        for a, b in self._listener:
            s = s.replace(a, b)
        return s

    def reported(self, text: str) -> str:
        """A signal ("asks for the order form") as reported speech ("asked for the order form")."""
        words = text.strip().rstrip(".").split(" ", 1)
        clause = self.past(words[0]) + (" " + words[1] if len(words) > 1 else "")
        for a, b in self._reported:
            clause = clause.replace(a, b)
        return clause

    def signal(self, text: str) -> tuple[str, str]:
        """A signal's text (stripped, no final full stop) as the buyer says it:
        the bank key of the frame and its `{q}`."""
        verb, _, rest = text.partition(" ")
        rest = self.first_person(rest)
        verb = verb.lower()
        if verb in self._ask:
            if rest.startswith(self._wh):
                return "signal.en.wh", rest
            for prefix, frame in self._ask_prefixes:
                if rest.startswith(prefix):
                    return f"signal.en.{frame}", rest[len(prefix):]
            return "signal.en.for", rest
        if verb in self._confirm:
            that = self._that
            return "signal.en.confirm", rest[len(that):] if rest.startswith(that) else rest
        if verb in self._want:
            return "signal.en.want", rest
        return "signal.en.other", f"{self.base(verb)} {rest}".strip()
