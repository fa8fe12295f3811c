"""Subject-verb agreement slips in rendered calls, found by this file's own
word lists (written apart from the phrase banks; nothing here reads them or
imports corpusc), shared by tests/test_agreement.py and
benchmarks/agreement.py. Each pattern is a subject of one number directly
followed (a filler such as ", um," or an adverb such as "usually" between
them allowed) by a verb form of the other:

  en.name_base     a singular proper name + a base-form verb ("because Kira run")
  en.pron_base     he / she / it + a base-form verb ("it take")
  en.one_base      the team / everyone / nobody / each rep ... + a base-form verb ("the team want")
  en.plural_s      a plural noun phrase + an -s verb ("if your analysts wants")
  en.bare_plural_s a plural without an article opening a clause + an -s verb ("until new reps is")
  en.like_s        a plural noun + like/such as + "a quoted example" + an -s verb
                   ('questions like "what ..." takes seconds')
  en.person_s      I / you / we / they + an -s verb ("you grades")
  en.aux_form      a modal or "do" + an -s or past form ("Legal will reviews", "Did this caused")
  en.each_plural   each / every + a plural people noun ("each managers only see")
  en.does_plural   does + a plural subject ("how many calls does the reps handle")
  en.term_s        a plural industry term of the plan + an -s verb ("the way detention fees shows up")
  de.name_plural   a name of the plan / er + a plural verb ("weil Kira kümmern")
  de.main          a subject opening a German clause + a verb of the other number ("Unsere Juristen prüft")
  de.clause        a subordinate clause's subject and its closing verb of the other number ("weil mein Team
                   keine Zeit für die Einrichtung haben")

A subject read as an object or after an inverted auxiliary ("let Kira run",
"does it take", "make it work") is no slip: the word before it is looked at.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

# ---------------------------------------------------------------- English
# base forms of verbs a sales call puts after a person or a team (no word that is as often a noun or a
# preposition after a name: "like", "lead", "review", "deal"; no past tense of the same spelling: "read", "set")
EN_BASE = """run own handle want need use grade take manage look oversee cover know think say have go get make
work check score send help care decide approve sign keep pick see feel agree prefer drive build sit report
tend seem love hate mean expect ask spend write do don't are sync push pull trust worry hope plan
save show listen hear coach train track answer miss struggle complain clear settle""".split()
# their -s forms, written out (not derived: the list is the outside view)
EN_S = """runs owns handles wants needs uses grades takes manages leads looks oversees covers knows likes thinks
says has goes gets makes works reviews sends helps deals cares decides approves signs keeps picks sees
feels agrees prefers drives builds sits tends seems loves hates means expects asks spends lives writes
reads does doesn't is was isn't wasn't syncs pushes pulls trusts worries hopes plans costs saves shows
listens hears coaches trains tracks answers misses struggles complains comes stays starts follows clears
settles""".split()
# -s forms that are as often plural nouns after a noun ("the reps' checks", "sales leads"): counted after a
# pronoun or a name only, never after a noun phrase
EN_S_NOUNISH = {"checks", "scores", "reviews", "needs", "plans", "costs", "leads", "deals", "answers", "signs",
                "tracks", "reads", "calls", "reports", "notes"}
EN_S_AFTER_NOUN = [v for v in EN_S if v not in EN_S_NOUNISH]
# the word before a subject that makes it an object, or the subject of an inverted question or of a
# bare infinitive: the base verb after it is right ("let Kira run", "does it take", "seen it work")
EN_GOVERN = set("""do does did don't doesn't didn't will would can could should shall may might must won't can't
cannot wouldn't couldn't shouldn't mustn't let lets letting make makes made making help helps helped helping
have has had having see sees saw seen seeing watch watched hear heard and or nor i'd you'd we'd they'd he'd
she'd it'd i'll you'll we'll they'll he'll she'll it'll rather than to""".split())
# prepositions (and verbs) after which a noun phrase or "you" is their object, not a subject
EN_PREP = set("""for with among amongst between across of to from touching about around at in on by like into
onto through than per over under after before behind beyond within without via toward towards inside outside
leave leaves left getting get gets got show showing tell ask email cc copy loop brief meet thank join
joining near against as install open use pick configure connect set update fix""".split())
# where a clause opens: a name or "it" right after one of these (or a sentence's start, or a comma) is the
# clause's subject
EN_CLAUSE = set("""because since if when so but that while as where unless until once whether though although
plus then know think guess hope say said means mean maybe""".split()) | {"", ","}
EN_DET = set("the your our their my a an this that whose these those all most many some both".split())
# what may stand between a subject and its verb: a filler, an adverb ("it usually clear" is a slip too)
FILL = r"(?:,? (?:um|uh|er|erm|you know|I mean),?)?(?: (?:usually|often|always|just|still|really|also|never|" \
       r"actually|only|typically|normally|already|even|rarely|sometimes|probably|generally|mostly|all))?"
# where a subject may be: "the team at Acme", "the reps here"
WHERE = r"(?: at [A-Z][a-z]+| here| over there| on (?:my|our|your) (?:side|end))?"
# capitalised words that are no singular name (pronouns, plural abbreviations, words a sentence opens with)
EN_NOT_NAME = set("""I We You They These Those Both All Many Most Some Others Few People Folks AEs SDRs BDRs CSMs
VPs QA BI CRM API APIs SLAs KPIs OK Okay So And But Or If Then When Yes No Yeah Right Sure Well Also Honestly
Thanks Thank Great Good Hey Hi Hello Happy Glad Let Please Just Only Maybe Perhaps Even Still Now Here There
Today Tomorrow Mr Ms Dr""".split())
EN_PLURAL = """analysts reps managers agents associates engineers executives AEs SDRs BDRs counselors consultants
brokers leads admins supervisors teams people folks customers clients callers buyers users coaches directors
VPs members questions calls summaries scorecards numbers dashboards transcripts recordings results things
deals tickets accounts sellers partners leaders owners heads colleagues apps statements fees rules cards
payments specialists""".split()
EN_PLURAL_DET = r"(?:[Tt]he|[Yy]our|[Oo]ur|[Tt]heir|[Mm]y|[Tt]hese|[Tt]hose|[Mm]ost|[Mm]any|[Aa]ll|[Ss]ome|[Bb]oth|" \
                r"[Oo]ther|[Ff]ew|\d[\d,]*|two|three|four|five|six|seven|eight|nine|ten|twenty)"
EN_ONE_NOUN = """team group department manager rep agent analyst company business vendor tool product platform
system person bank app phone card mailbox account statement fee office""".split()


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


EN_SINGLE = rf"(?:(?:[Tt]he|[Yy]our|[Oo]ur|[Mm]y|[Tt]heir|[Tt]his|[Tt]hat|[Tt]he whole|[Aa]) (?:[A-Za-z]+ )?" \
            rf"(?:{_alt(EN_ONE_NOUN)})|[Ee]veryone|[Ee]verybody|[Nn]obody|[Ss]omeone|[Ss]omebody|[Aa]nyone|" \
            rf"[Nn]o one|(?:[Ee]ach|[Ee]very) (?:{_alt(EN_ONE_NOUN)}))"
_BASE = _alt(EN_BASE)
_S = _alt(EN_S)
_S_NOUN = _alt(EN_S_AFTER_NOUN)
_PLURAL = _alt(EN_PLURAL)
EN_PLURAL_LOWER = {w.lower() for w in EN_PLURAL}
_PEOPLE = _alt(EN_PLURAL[:EN_PLURAL.index("questions")])  # the people of the list (it names them first)
# past forms written out, for "did caused"
EN_PAST = """caused wanted needed used asked helped worked checked called decided started changed moved tried liked
seemed looked showed handled managed went took got made had left""".split()
# after a modal or "do": no -s verb, no past ("what it does is", "what we did was" are right: no form of be)
_AUX_AFTER = _alt([v for v in EN_S if v not in ("is", "was", "isn't", "wasn't", "has")]
                  + EN_PAST)
_S_PERSON = _alt(v for v in EN_S if v not in ("was", "wasn't"))  # "I was" is right
_END = r"\b(?!['’-])"
# up to two words before a subject's noun ("your patient access reps"), none a preposition ("the number of calls")
_MODS = r"(?:(?!(?:of|for|with|in|at|on|to|from|and)\b)[A-Za-z]+ ){0,2}"
_PATTERNS = {
    "en.name_base": re.compile(rf"\b(?P<subj>[A-Z][a-z]+){FILL} (?P<verb>{_BASE}){_END}"),
    "en.pron_base": re.compile(rf"\b(?P<subj>[Hh]e|[Ss]he|[Ii]t){FILL} (?P<verb>{_BASE}){_END}"),
    "en.one_base": re.compile(rf"\b(?P<subj>{EN_SINGLE}{WHERE}){FILL} (?P<verb>{_BASE}){_END}"),
    "en.plural_s": re.compile(rf"(?<![\w-])(?P<subj>{EN_PLURAL_DET} {_MODS}(?:{_PLURAL}){WHERE})(?: that| who)?{FILL} "
                              rf"(?P<verb>{_S_NOUN}){_END}"),
    # a plural without an article opening a clause ("until new reps is up to speed")
    "en.bare_plural_s": re.compile(rf"\b(?:[Bb]ecause|[Ss]ince|[Ii]f|[Ww]hen|[Uu]ntil|[Oo]nce|[Ww]hile|[Uu]nless|that) "
                                   rf"(?P<subj>(?:new |newer |senior |junior |most |[A-Z][a-z]+ )?(?:{_PLURAL})){FILL} "
                                   rf"(?P<verb>{_S_NOUN}){_END}"),
    "en.like_s": re.compile(rf"\b(?P<subj>(?:{_alt(EN_PLURAL + ['phrases', 'topics', 'examples', 'searches'])}) "
                            rf"(?:like|such as) [\"“][^\"”]+[\"”]){FILL} (?P<verb>{_S}){_END}"),
    "en.person_s": re.compile(rf"\b(?P<subj>I|[Yy]ou|[Ww]e|[Tt]hey){FILL} "
                              rf"(?P<verb>{_S_PERSON}){_END}"),
    # a modal or do-support before an -s or past form ("will reviews", "doesn't comes", "Did this caused"); "did"
    # and "does" mid-sentence are as often a main verb ending a clause ("the last rollout we did took months")
    "en.aux_form": re.compile(rf"\b(?P<subj>will|would|can|could|should|may|might|must|won't|can't|wouldn't|couldn't|"
                              rf"shouldn't|[Dd]on't|[Dd]oesn't|[Dd]idn't|(?<![\w,] )(?:Does|Did)(?: this| that| it| he| she| the [a-z]+)?){FILL} (?P<verb>{_AUX_AFTER}){_END}"),
    # a plural noun after "each" / "every" ("each managers only see"), "does" before a plural subject
    "en.each_plural": re.compile(rf"\b(?P<subj>[Ee]ach|[Ee]very) (?P<verb>(?:[a-z]+ )?(?:{_PEOPLE})){_END}"),
    "en.does_plural": re.compile(rf"\b(?P<verb>[Dd]oes|[Dd]oesn't){FILL} (?P<subj>{EN_PLURAL_DET} {_MODS}"
                                 rf"(?:{_PLURAL})){_END}"),
}

# ---------------------------------------------------------------- German
# finite verbs, 3rd person: (singular, plural) pairs of verbs said after a person, a team or a thing
DE_PAIRS = [tuple(x.split("/")) for x in """kümmert/kümmern leitet/leiten führt/führen betreut/betreuen
verantwortet/verantworten will/wollen braucht/brauchen nutzt/nutzen hat/haben ist/sind macht/machen
arbeitet/arbeiten kennt/kennen sieht/sehen entscheidet/entscheiden prüft/prüfen bewertet/bewerten
übernimmt/übernehmen sitzt/sitzen koordiniert/koordinieren verwaltet/verwalten organisiert/organisieren
steuert/steuern schaut/schauen achtet/achten möchte/möchten muss/müssen kann/können darf/dürfen soll/sollen
wird/werden weiß/wissen findet/finden meint/meinen denkt/denken liegt/liegen kommt/kommen steht/stehen
geht/gehen eingeht/eingehen aufzeichnet/aufzeichnen bietet/bieten zahlt/zahlen läuft/laufen passt/passen
schafft/schaffen fragt/fragen meldet/melden merkt/merken bleibt/bleiben fällt/fallen gibt/geben
war/waren hatte/hatten würde/würden""".split()]
DE_SING = [a for a, _ in DE_PAIRS]
DE_PLURAL = [b for _, b in DE_PAIRS]
# nouns that are plural whatever their article ("die Juristen"), and nouns singular in every case a subject
# takes ("die Rechtsabteilung"); nouns of one form in both numbers ("Teamleiter") are plural after "die"
DE_PLURAL_NOUNS = """Teamleiterinnen Mitarbeitenden Mitarbeiterinnen Agenten Agentinnen Beraterinnen Kollegen
Kolleginnen Kunden Kundinnen Analysten Analystinnen Managerinnen Disponenten Verkäuferinnen Leute Teams Fragen
Gespräche Anrufe Zahlen Ergebnisse Führungskräfte Vorgesetzten Admins Juristen Eingänge Extrakosten Kosten
Daten Zugangsdaten Auszüge Notizen Gebühren Unterlagen Zinsen""".split()
DE_BOTH_NOUNS = """Teamleiter Mitarbeiter Vertriebler Berater Manager Makler Verkäufer Kalender""".split()
DE_SING_NOUNS = """Team Rechtsabteilung Abteilung Fachabteilung Fachteam Postfach Name Bank Studienberatung
Mahngebühr Gebühr Geldeingang Controlling Einkauf System Vertrag Firma Plan Filialteam Backoffice Dokumentation
Betrag Karte Konto Geschäftsführung Leitung""".split()
DE_ARTICLES = r"(?:[Dd]er|[Dd]ie|[Dd]as|[Mm]ein|[Mm]eine|[Uu]nser|[Uu]nsere|[Ii]hr|[Ii]hre|[Dd]iese|[Dd]ieser|[Dd]ieses|" \
              r"[Ee]in|[Ee]ine|[Kk]ein|[Kk]eine|[Aa]lle|[Vv]iele|[Ee]inige|[Mm]anche|[Bb]eide|\d[\d.]*)"
_ADJ = r"(?:(?!(?:meiner|unserer|ihrer|dieser|deren|seiner|einer|keiner|den|dem|des|der|die|das|ein|einen|einem|" \
       r"eine|keine|meine|unsere|ihre|diese|alle|viele|einige|manche|beide|jeder|jede|jedes)\b)[a-zäöüß]+e[nrs]? )?"
# a noun phrase and its number: "P" plural, "S" singular
_DE_NP = rf"(?P<det>{DE_ARTICLES} )?{_ADJ}(?P<noun>{_alt(DE_PLURAL_NOUNS + DE_BOTH_NOUNS + DE_SING_NOUNS)})"
DE_PLURAL_DET = r"(?:[Uu]nsere|[Ii]hre|[Dd]ie|[Dd]iese|[Aa]lle|[Vv]iele|[Mm]eine|[Ee]inige|[Mm]anche|[Bb]eide|\d[\d.]*)"
DE_DET = set("""unsere unseren ihre ihren die den diese diesen alle allen viele vielen meine meinen einige einigen
manche manchen beide beiden""".split())
DE_GOVERN = set("""lassen lasse lässt und oder sowie als wie""".split())
# prepositions and the words that make a plural noun phrase a genitive or dative, or the object of a relative
# clause ("der 25 Vertriebler führt"): the verb after it is not the phrase's
DE_PREP = set("""für mit bei von zu zum zur aus an auf in im über unter durch ohne gegen um vor nach seit
der des dem den das unserer ihrer meiner dieser aller vieler einiger""".split())
DE_NOT_NAME = set("""Sie Ich Wir Ihr Ihre Ihnen Das Die Der Es Und Aber Also Ja Nein Gut Danke""".split())
# conjunctions after which the verb closes the clause
DE_SUBORD = "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in "weil dass wenn falls ob sobald obwohl damit bis solange".split())
_DE_FINITE = _alt(DE_SING + DE_PLURAL)
_PATTERNS.update({
    # a name (never "Sie": formal you takes the plural) or "er" ("sie" is she or they: not counted)
    "de.name_plural": re.compile(rf"\b(?P<subj>[A-ZÄÖÜ][a-zäöüß]+|er){FILL} (?P<verb>{_alt(DE_PLURAL)})\b"),
    # a subject opening a main clause and the verb right after it, of the other number
    "de.main": re.compile(rf"(?<![\w-])(?P<subj>{_DE_NP}){FILL} (?P<verb>{_DE_FINITE})\b"
                          rf"(?! (?:sich )?(?:ich|er|sie|Sie|es|man|wir|niemand|jemand|keiner|jeder)\b)"),
    # a subordinate clause: its subject after the conjunction, its finite verb last ("weil mein Team keine Zeit
    # für die Einrichtung haben")
    "de.clause": re.compile(rf"\b(?:{DE_SUBORD}) (?P<subj>{_DE_NP}|wir|er|man)(?: (?!und\b|oder\b)[^\s,.;:?!–]+){{1,10}}? "
                            rf"(?P<verb>{_DE_FINITE})(?=\s*(?:[,.;:?!–]|$)|\s+(?:und|oder|aber)\b)"),
})
_DE_SING_SET, _DE_PLURAL_SET = set(DE_SING), set(DE_PLURAL)
_DE_SING_ART = {"der", "das", "mein", "unser", "ihr", "dieser", "dieses", "ein", "eine", "kein"}


def _de_number(m: re.Match) -> str:
    """'S' or 'P', the number of a German subject matched by `_DE_NP` (or a pronoun); '' unknown."""
    subj = m.group("subj")
    if subj in ("wir",):
        return "P"
    if subj in ("er", "man"):
        return "S"
    noun, det = m.group("noun"), (m.group("det") or "").strip().lower()
    if noun in DE_PLURAL_NOUNS:
        return "P"
    if noun in DE_SING_NOUNS:
        return "S"
    # one form in both numbers: plural after a plural article, singular after a singular one
    if det in ("die", "alle", "viele", "einige", "manche", "beide") or det[:1].isdigit():
        return "P"
    if det in _DE_SING_ART:
        return "S"
    return ""


# German verbs come second in a main clause and last in a subordinate one: a subject right before a finite
# verb is a real subject where a clause begins with it, or after a conjunction ("weil Kira kümmern ...").
_DE_CLAUSE_OPEN = set("""weil da denn dass wenn ob sobald bis damit während obwohl aber und sodass""".split())
_CUE = re.compile(r"\[[^\]]*\]\s*")


_FILL_END = re.compile(r"(?:,? (?:um|uh|er|erm|you know|I mean|äh|ähm),?\s*)$")
_NUMBER_WORDS = set("""two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
sixty seventy eighty ninety hundred zwei drei vier fünf sechs sieben acht neun zehn""".split())


def _word_before(text: str, i: int, past_det: bool = False) -> str:
    """The word before position `i`, lower case: '' at a sentence's start, ','
    after a comma; fillers ("um", "you know") passed over; with `past_det`,
    determiners and numbers too ("for our 45 associates": "for")."""
    head = text[:i]
    while True:
        head = head.rstrip()
        cut = _FILL_END.search(head)
        if cut is not None and cut.start() < len(head):
            head = head[:cut.start()]
            continue
        if not head or head[-1] in ".?!:;\"“—":
            return ""
        if head[-1] == ",":
            return ","
        m = re.search(r"([\w'’-]+)$", head)
        if m is None:
            return ""
        w = m.group(1).lower().replace("’", "'")
        if past_det and (w in EN_DET or w in DE_DET or w.rstrip("-") in _NUMBER_WORDS or w[:1].isdigit()
                         or "-" in w and w.split("-")[0] in _NUMBER_WORDS):
            head = head[:m.start()]
            continue
        return w


def _slip(kind: str, m: re.Match, text: str, names: frozenset[str] | None = None) -> bool:
    subj = m.group("subj")
    before = _word_before(text, m.start(), past_det=kind in ("en.plural_s", "en.one_base"))
    if kind.startswith("en."):
        if kind == "en.each_plural":
            return before not in EN_PLURAL_LOWER  # "our managers each handle" is right
        if kind in ("en.does_plural", "en.like_s", "en.aux_form", "en.bare_plural_s"):
            return True
        if kind == "en.plural_s" and before == "how" and subj.lower().startswith("many"):
            # "how many calls does the team handle": an object
            return False
        if kind == "en.person_s":
            # no form of "I/you/we/they" takes an -s verb, after "and" or "let" too ("and you grades the
            # output"); "you" after a verb or a preposition is its object ("what I need from you is")
            return subj.lower() != "you" or before in EN_CLAUSE or before in ("and", "or")
        if before in EN_GOVERN or before.endswith("ing") and before != "assuming":
            # "finding the right calls is", "let Kira run"
            return False
        if kind == "en.name_base":
            if subj in EN_NOT_NAME or subj.endswith("s"):  # a pronoun, a plural ("Fridays", "Teams")
                return False
            return before in EN_CLAUSE and before != ""  # a sentence's first word: its capital is no name's
        if subj.lower() in ("it", "you"):  # an object as often as a subject ("if it cost you anything")
            return before in EN_CLAUSE
        return before not in EN_PREP
    if kind == "de.name_plural":
        # every German noun has a capital: a capitalised word is a name only where the plan names someone so
        if subj != "er" and subj not in (names or ()):
            return False
        if before in DE_GOVERN:
            return False
        # a name right before a plural verb mid-clause is often the verb's object ("mit Kira sprechen"):
        # only where a clause opens with the name
        return before in _DE_CLAUSE_OPEN or before in ("", ",")
    if kind in ("de.main", "de.clause"):
        number = _de_number(m)
        verb = m.group("verb")
        wrong = number == "P" and verb in _DE_SING_SET or number == "S" and verb in _DE_PLURAL_SET
        if not wrong:
            return False
        if (m.group("det") or "").strip().lower() in ("der", "den", "dem", "des") and number == "P":
            return False  # "der" before a plural: a genitive, a dative or a relative pronoun ("jemand, der Leute führt")
        if kind == "de.main":  # a subject opening a clause, not an object or a genitive before the verb
            if before in ("und", "oder") and not re.search(r"(?:^|[,;.!?])\s*(?:und|oder)\s*$", text[:m.start()]):
                return False  # the second of two nouns ("bei 600 Kolleginnen und Kollegen ist das ..."): no subject
            return before in ("", ",", "und", "aber", "denn", "oder", "doch", "sondern")
        return True
    return True


# singular nouns ending in -s (a term's head read as plural by its -s otherwise)
EN_S_SINGULAR = set("""analytics logistics news status basis series process access business class gas bus
campus bonus census thesis analysis diagnosis emphasis crisis""".split())


def plural_term(term: str) -> bool:
    """Whether an English term of the spec is plural, by its head noun: the
    word before " of " ("bill of materials": bill), else its last word,
    ending in -s (not -ss, -us, -is; no abbreviation in capitals)."""
    head = term.split(" of ")[0].split()[-1] if term.strip() else ""
    return (len(head) > 2 and head.endswith("s") and not head.endswith(("ss", "us", "is", "'s"))
            and not head[:-1].isupper() and head.lower() not in EN_S_SINGULAR)


@lru_cache(maxsize=256)
def _term_pattern(terms: frozenset[str]) -> re.Pattern | None:
    if not terms:
        return None
    return re.compile(rf"(?<![\w-])(?P<subj>{_alt(terms)}){FILL} (?P<verb>{_S_NOUN}){_END}", re.IGNORECASE)


def slips(text: str, locale: str = "en-US", names: frozenset[str] | None = None,
          terms: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(pattern, the words around the match) for each slip in a turn's
    `text`; `names`: the first names of the people of the corpus (German
    capitalises every noun: a name is known by the plan, not by its capital);
    `terms`: the plan's industry terms that are plural (`plural_term`), a
    subject of a plural verb ("en.term_s": "detention fees shows up")."""
    text = _CUE.sub("", text)
    prefix = "en." if locale.startswith("en") else "de." if locale.startswith("de") else None
    out = []
    if prefix is None:
        return out
    pats = list(_PATTERNS.items())
    if prefix == "en." and terms:
        pats.append(("en.term_s", _term_pattern(terms)))
    verbs = set()  # a verb found by two patterns is one slip (the first pattern's)
    for kind, pat in pats:
        if not kind.startswith(prefix):
            continue
        for m in pat.finditer(text):
            if m.start("verb") not in verbs and _slip(kind, m, text, names):
                verbs.add(m.start("verb"))
                out.append((kind, text[max(0, m.start() - 40):m.end() + 25]))
    return out


def terms_of(build: Path) -> frozenset[str]:
    """The plural industry terms of a build's plan (`plural_term`)."""
    plan = Path(build) / "plan.json"
    if not plan.is_file():
        return frozenset()
    p = json.loads(plan.read_text(encoding="utf-8"))
    inds = p.get("industries") or {}
    return frozenset(t for i in (inds.values() if isinstance(inds, dict) else inds) for t in i.get("terms") or ()
                     if plural_term(t))


def names_of(build: Path) -> frozenset[str]:
    """The first names of a build's people (stakeholders and reps), read from its plan.json."""
    plan = Path(build) / "plan.json"
    if not plan.is_file():
        return frozenset()
    p = json.loads(plan.read_text(encoding="utf-8"))
    people = [s for a in p.get("accounts") or () for s in a.get("stakeholders") or ()] + list(p.get("reps") or ())
    return frozenset(str(x.get("display") or x.get("name") or "").split(" ")[0] for x in people) - {""}


def turns(build: Path) -> Iterator[tuple[str, int, str, str]]:
    """(call id, turn index, locale, text) of every turn of a build's transcripts."""
    for f in sorted((Path(build) / "transcripts").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        loc = doc.get("locale") or "en-US"
        for t in doc["turns"]:
            yield doc["call_id"], t["index"], loc, t["text"]


def build_slips(build: Path) -> list[tuple[str, int, str, str]]:
    """(call id, turn, pattern, words) of every slip in a build."""
    out = []
    names, terms = names_of(build), terms_of(build)
    for cid, i, loc, text in turns(build):
        for kind, said in slips(text, loc, names, terms):
            out.append((cid, i, kind, said))
    return out


def counts(found: list[tuple[str, int, str, str]]) -> Counter:
    return Counter(k for _, _, k, _ in found)


PATTERNS = tuple(_PATTERNS) + ("en.term_s",)
