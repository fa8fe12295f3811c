"""Reader 30's outside scans: word lists and patterns written apart from the
phrase banks, read over a build's transcripts (OUT/transcripts/*.json). Each
returns what it found, so a test asserts the list is empty (or short) and a
reader can print it. Main at ed8f7a9 (counts per build: sales_pov /
generated German sales seed 11, 200 calls / contact_center seed 12345 / the
same at seed 777):

- `absent_named`: a speaker names a colleague who is not on the call in four
  or more sentences ("Dana will want to see this", "I'll loop in Dana", "Dana
  asked me the other day" ... eleven times): 3 / 56 / - / -.
- `glue`: a German paraphrase that broke its sentence ("Alles klar, dass Sie
  Ihre Umsätze prüfen", "dass Sie schließlich des Gesprächs wissen", "das
  Konto ist eine andere"): - / - / 14 / 23.
- `agreement`: an English plural team with a singular verb ("Is your agents
  looking", "issues with the connector lands"), an auxiliary with the wrong
  form of its verb ("Have you turn on notifications"): 2 / - / 3 / 1.
- `age_slips`: what the caller's own birth date rules out (a son-in-law at
  30, "since over twenty years" at 23, school starting again for the kids at
  78, a day off work at 81): - / - / 48 / 32.
- `private`: caller sentences about their own private life that say nothing
  of the call's business (the dog, the tomatoes, the ladder, the fridge):
  German calls with five or more: - / - / 25 / 26.
- `commas`: German clause-final verb then the main clause's verb with no
  comma ("Als wir zuletzt gesprochen haben haben Sie", "Ein Test, der das Team
  nicht bindet könnte mich umstimmen"), and a modal with a zu-infinitive
  ("will ich, dem Team Zeit zu sparen"): - / 58 / 9 / 10.
- `wish_repeated`: a buyer says the same wish twice in a call in other words
  ("Am meisten brächte es uns: ein direkter Vergleich mit unseren eigenen
  Daten" ... "Was wirklich helfen würde, wäre ein direkter Vergleich mit
  unseren eigenen Daten"): 2 / 16 / - / -.
- `listener_misfits`: a buyer's "Interessant." / "Exakt." / "Stimmt." right
  after the seller's procedural note or courtesy ("Ich mache mir nebenbei
  Notizen", "I saw the piece about your new hires, good for the team"):
  1 / 40 / - / -.
- `two_vehicles`: a caller on the tram, then on the train; a bus due any
  minute, then a train leaving in twenty: - / - / 4 / 2.
- `chat_words_on_phone`: a phone caller who "writes" ("darum schreibe ich
  Ihnen jetzt"): - / - / 0 / 0 on main, 3 / 5 once the private-life cap made
  the generic caller lines more frequent (a guard, not a main failure).
- `today_by_name`: a German call's own day said as 'am <Wochentag>' ('ich bin
  am Donnerstag zum ersten Mal mit dem Rad gekommen' on a Thursday): - / 16 / - / -.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

SENT = re.compile(r"(?<=[.!?])\s+")


def calls(out: Path):
    for f in sorted((out / "transcripts").glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        if "turns" in d:
            yield d


def sentences(text: str) -> list[str]:
    return [s for s in SENT.split(text) if s]


def is_service(d: dict) -> bool:
    return "caller" in [p["id"] for p in d["participants"]]


# ---- an absent colleague named over and over ------------------------------------------------------------------

def stakeholder_names(spec: Path) -> set[str]:
    """The first names of every stakeholder a sales spec declares (the people a buyer may speak of)."""
    return set(re.findall(r'stakeholder \w+ "([A-Z][a-z]+)', spec.read_text(encoding="utf-8")))


def absent_named(out: Path, names: set[str], most: int = 3) -> list[tuple]:
    found = []
    for d in calls(out):
        here = {w for p in d["participants"] for w in (p.get("name") or "").split()}
        n: Counter = Counter()
        for t in d["turns"]:
            for s in sentences(t["text"]):
                for w in set(re.findall(r"\b[A-Z][a-z]+\b", s)) & names - here:
                    n[(t["speaker"], w)] += 1
        found += [(d["call_id"], k, v) for k, v in n.items() if v > most]
    return found


# ---- German paraphrase damage ---------------------------------------------------------------------------------

GLUE = [re.compile(p) for p in (
    r"\b(?:[Ll]etztlich|[Ss]chließlich) (?:des|der) \w+",  # "am Ende des Gesprächs" -> "schließlich des Gesprächs"
    r"(?:^|[.!?] )(?:Alles klar|In Ordnung|Okay|Na gut|Gut, gut|Also gut), dass\b",  # "Gut, dass Sie ..." ("Okay, gut, dass" is an opener before it: right)
    r"\b(?:Ganz genau|Exakt), dass\b",
    r"\bdas (?:Konto|Geld|Problem|Formular|Limit) (?:ist|war) eine (?:andere|neue)\b",  # gender
    r"\bBuch (?:über \w+ ?\w*), und die\b",  # "Ich führe Buch über alles, und die ist ..."
)]


def glue(out: Path) -> list[tuple]:
    return [(d["call_id"], m.group()) for d in calls(out) if d["locale"] == "de-DE"
            for t in d["turns"] for rx in GLUE for m in rx.finditer(t["text"])]


# ---- English agreement ----------------------------------------------------------------------------------------

PLURAL_TEAM = (r"(?:agents|reps|people|folks|managers|team leads|nurses|adjusters|dispatchers|planners|engineers|"
               r"advisors|associates|coordinators|sellers|specialists|representatives|brokers|analysts|clinicians|"
               r"technicians|drivers|recruiters)")
AGREEMENT = [re.compile(p) for p in (
    r"\b(?:Is|Does|Has|Was|is|does|has|was) (?:your|our|the|their) (?:\w+ )?" + PLURAL_TEAM + r"\b(?! (?:is|are)\b)",
    r"\b(?:issues|tickets|questions|problems|requests) (?:with|about|on) (?:the |your |a )?[\w-]+(?: [\w-]+)? "
    r"(?:lands|goes|gets|is|has)\b",
    # an auxiliary with the wrong form of its verb ("Have you turn on notifications", "Did you activated")
    r"\b(?:Have|Has|have|has) (?:you|they|we|I) (?:turn|switch|activate|check|change|add|send|get|make|take|try|move)\b",
    r"\b(?:Did|did|Do|do|Does|does|Can|can|Could|could|Will|will|Would|would) (?:you|they|we|I) (?:activat|turn|switch|"
    r"check|chang|add|mov|tri|receiv|us|open|cancel)ed\b",
)]


def agreement(out: Path) -> list[tuple]:
    return [(d["call_id"], m.group()) for d in calls(out) if d["locale"] == "en-US"
            for t in d["turns"] for rx in AGREEMENT for m in rx.finditer(t["text"])]


# ---- what the caller's age rules out ---------------------------------------------------------------------------

BIRTH = re.compile(r"(?:geboren|Geburtsdatum|Geburtstag|born|birth|date of birth|DOB).{0,40}?\b(19[2-9]\d|200\d)\b")
AGE_RULES = {  # (pattern, youngest, oldest): my own bounds
    "de-DE": [(r"\bmein(?:e[mnr]?)? Schwieger(?:sohn|tochter)\b", 45, 200),
              (r"\bmein(?:e[mnr]?)? Enkel(?:in)?\b", 50, 200),
              (r"\bseit über zwanzig Jahren\b", 38, 200), (r"\bseit Jahrzehnten\b", 40, 200),
              (r"\b(?:Kinder (?:sind (?:heute )?zu Hause|im Bett|haben heute schulfrei)|die sind noch klein|noch zu jung|"
               r"Hausaufgaben|Blockflöte\w*|Die Schule hat|Kita\w*|Kinder abholen)\b", 0, 65),
              (r"\b(?:Arbeitszeiten|ein Meeting|freigenommen|in der Mittagspause|aus der Mittagspause|"
               r"auf dem Weg zur Arbeit|Schichtdienst|Arbeitgeber|arbeite (?:ja )?tagsüber|arbeite bis spät)\b", 0, 70)],
    "en-US": [(r"\bmy (?:son|daughter)-in-law\b", 45, 200), (r"\bmy grand(?:son|daughter|kids?|children)\b", 50, 200),
              (r"\b(?:for|over) twenty years\b", 38, 200), (r"\bfor decades\b", 40, 200),
              (r"\b(?:kids are (?:home|off school)|off school today|they're still small|too young for|homework|"
               r"recorder|school just started|school is back|daycare|pick up the kids|out of school soon)\b", 0, 65),
              (r"\b(?:lunch break|day off|off work|afternoon off|at the office|a meeting in|into a meeting|my employer|"
               r"I teach|I'm a teacher|my shift)\b", 0, 70)],
}


def age_slips(out: Path, year: int = 2025) -> list[tuple]:
    found = []
    for d in calls(out):
        if not is_service(d):
            continue
        said = next((BIRTH.search(t["text"]) for t in d["turns"] if t["role"] == "buyer" and BIRTH.search(t["text"])),
                    None)
        if said is None:
            continue
        age = year - int(said.group(1))
        for t in d["turns"]:
            if t["role"] == "buyer":
                for rx, lo, hi in AGE_RULES[d["locale"]]:
                    found += [(d["call_id"], age, m.group()) for m in re.finditer(rx, t["text"], re.I)
                              if not lo <= age <= hi]
    return found


# ---- a caller's private life piled onto their answers -----------------------------------------------------------

LIFE = {
    "de-DE": r"\b(?:Katze|Hund\w*|Tomaten|Garten|Kinder\w*|Enkel\w*|Balkon|Kühlschrank|Waschmaschine|Fahrrad|Rad|Urlaub|"
             r"Hochzeit|Werkstatt|Handwerker|Schule|Lesebrille|Nachbar\w*|Mutter|Vater|Eltern|Tante|Freundin|Schwester|"
             r"Bruder|Zug|Straßenbahn|Bus|Sofa|Küche|Geburtstag\w*|Arzt|Wetter|Leiter|Pflaumen|Kaffee|Regenrinne|"
             r"Blockflöte\w*|Hausaufgaben|Wochenende|Verein|Chor|Fußball|Training|Schicht|Feierabend|Wohnung|"
             r"Tochter|Sohn|Mann|Frau|Partner\w*)\b",
    "en-US": r"\b(?:cat|dog|tomatoes|garden|kids?|grandkids|balcony|fridge|washing machine|bike|vacation|wedding|"
             r"contractor|school|reading glasses|neighbou?rs?|mom|mother|dad|father|parents|aunt|sister|brother|train|"
             r"bus|couch|sofa|kitchen|birthday|doctor|weather|ladder|coffee|gutters?|recorder|homework|weekend|choir|"
             r"soccer|practice|shift|son|daughter|husband|wife|partner)\b",
}
BUSINESS = {
    "de-DE": r"\b(?:Karte\w*|Konto\w*|Überweis\w*|Zahlung\w*|Bank\w*|App|Geld|Euro|Buchung\w*|PIN|Adresse|Gebühr\w*|"
             r"Kredit\w*|Betrag|Summe|Online-Banking|Onlinebanking|Abbuchung\w*|Lastschrift\w*|Limit|Passwort|"
             r"Anmeld\w*|Rechnung\w*|Filiale|Auszug\w*|Post|Brief\w*|Anruf\w*|Warteschleife|Formular\w*|Vertrag|"
             r"Sperr\w*|Erstattung|bezahlt|zahlen|überwiesen|Umzug|umgezogen|Miete|Vermieter\w*|Sofa|Möbelhaus|"
             r"Handwerker)\b",
    "en-US": r"\b(?:card\w*|account\w*|transfer\w*|payment\w*|bank\w*|app|money|dollars?|\$\d+|charge\w*|PIN|address|"
             r"fee\w*|loan\w*|amount|online banking|debit\w*|limit|password|log ?in|bill\w*|branch|statement\w*|mail|"
             r"letter\w*|call\w*|hold|form\w*|contract|block\w*|refund\w*|paid|pay|move|moved|rent|landlord|couch|"
             r"contractor)\b",
}


def private(out: Path) -> dict[str, list[int]]:
    """Per locale, each service call's count of caller sentences about their own life and not the business."""
    per: dict[str, list[int]] = {}
    for d in calls(out):
        if not is_service(d):
            continue
        loc = d["locale"]
        per.setdefault(loc, []).append(sum(
            1 for t in d["turns"] if t["role"] == "buyer" for s in sentences(t["text"])
            if re.search(LIFE[loc], s) and not re.search(BUSINESS[loc], s, re.I)))
    return per


# ---- German commas and zu-infinitives ---------------------------------------------------------------------------

FINITE = (r"(?:habe|haben|hat|hatte|hatten|ist|sind|war|waren|wäre|wären|kann|könnte|können|wird|werden|würde|würden|"
          r"muss|müssen|sollte|will|wollen|geht|gibt|ginge|bindet|läuft|kommt|passt|hilft|braucht|brauchen|macht|"
          r"bringt|funktioniert|sehen|sieht|bleibt|stimmt|klappt|gehen|laufen|rate|richten|baue|schicke|bräuchte)")
COMMAS = [re.compile(p) for p in (
    r"(?<![,;:–-] )\b\w+ " + FINITE + " " + FINITE + r" (?:Sie|wir|ich|es|er|sie|man|das|immer|mich|uns|die|der|ihn|"
    r"auch|nie|niemand)\b",
    r"\b(?:scheitert|angenommen wird|weiterleiten kann|vorlegen kann|zeigen kann|bindet|vorschlage|empfehle) "
    r"(?:wäre|würde|könnte|brauche|bräuchte|auf dem Tisch)\b",
    r"\b(?:will|möchte|muss|kann) (?:ich|wir), [^.?!;]* zu \w+[.?!]",
)]


def commas(out: Path) -> list[tuple]:
    return [(d["call_id"], m.group()[:70]) for d in calls(out) if d["locale"] == "de-DE"
            for t in d["turns"] for rx in COMMAS for m in rx.finditer(t["text"])]


# ---- one wish said twice -----------------------------------------------------------------------------------------

WISHES = re.compile(r"direkte[rn]? Vergleich mit unseren eigenen Daten|klare[rn]? Plan mit Verantwortlichen|"
                    r"harte Zahl von einem Unternehmen|schnelle[rn]? Start und (?:einen|ein) frühe|"
                    r"schrittweise[rn]? Rollout ohne|Genauigkeitszahlen|ehrliche Antwort, was passiert|"
                    r"side-by-side on our own data|rollout plan with named owners|accuracy figures with the method|"
                    r"quick start and an early win|hard number from a company|phased rollout", re.I)


def wish_repeated(out: Path) -> list[tuple]:
    """A wish of the list said in two sentences of one speaker's call (the same words, any wording around them)."""
    found = []
    for d in calls(out):
        n: Counter = Counter()
        for t in d["turns"]:
            for s in sentences(t["text"]):
                for m in {m.group().lower() for m in WISHES.finditer(s)}:
                    n[(t["speaker"], m)] += 1
        found += [(d["call_id"], k, v) for k, v in n.items() if v > 1]
    return found


# ---- a listener's word that fits a claim, said to a procedural note or a courtesy ---------------------------------

NOTE_OR_COURTESY = {
    # "(sparen) eine halbe Stunde am Tag an Notizen" is a claim about the product, not a note being taken
    "de-DE": r"\b(?:(?<!an )Notizen|notiere|schreibe mit|Stichpunkte|Bildschirm|im Blick|auf die Uhr|auf die Zeit|"
             r"[Dd]anke|Dank|zu schätzen|Meldung|Beitrag|Nachricht|gelesen|mitbekommen|schön für)\b",
    "en-US": r"\b(?:take notes|typing|notes|screen|clock|on time|short and sweet|[Tt]hanks|appreciate|squeezing|"
             r"the news|announcement|a post|the piece|I read|I saw|I noticed|came across)\b",
}
CLAIM_WORDS = re.compile(r"^(?:Interessant|Exakt|Genau|Stimmt|Nachvollziehbar|Ja, ja|Interesting|Makes sense|Exactly|"
                         r"Right, right)\.$")


def listener_misfits(out: Path) -> list[tuple]:
    """A buyer's one-word reply that agrees with a claim ("Interesting.", "Exakt.") right after a seller turn
    that ends on a procedural note ("I'll take notes. Ignore the typing.") or a courtesy ("thanks for making
    the time", "I saw the news about your new office")."""
    found = []
    for d in calls(out):
        if is_service(d):
            continue
        T = d["turns"]
        for a, b in zip(T, T[1:]):
            if a["role"] == "seller" and b["role"] == "buyer" and CLAIM_WORDS.match(b["text"].strip()):
                last = sentences(a["text"].strip())[-1]
                if not last.endswith("?") and re.search(NOTE_OR_COURTESY[d["locale"]], last):
                    found.append((d["call_id"], last[-60:], b["text"]))
    return found


# ---- the caller on two different vehicles in one call -------------------------------------------------------------

VEHICLE = {
    "en-US": r"\b(?:I'm|I am) (?:on|in|calling from) (?:the|a) (?:commuter )?(bus|train|tram|subway)\b|"
             r"\bmy (bus|train) (?:is due|leaves)\b|\b(?:walking|on my way) to the (bus) stop\b|"
             r"\btaking the (bus) everywhere\b|\bat the (train) station\b",
    "de-DE": r"\b(?:sitze|bin|stehe) (?:gerade |grad )?(?:im (Bus|Zug|Pendlerzug)|in der (Straßenbahn|S-Bahn|U-Bahn))\b|"
             r"\bmein (Zug|Bus) (?:fährt|kommt)\b|\b(Bus)haltestelle\b|\büberall den (Bus)\b",
}


def two_vehicles(out: Path) -> list[tuple]:
    """A caller who says they are on (or waiting for) two different kinds of vehicle in one call ("Ich sitze in
    der Straßenbahn" ... "ich sitze gerade im Zug"; "my bus is due any minute" ... "my train leaves in twenty")."""
    found = []
    for d in calls(out):
        if not is_service(d):
            continue
        seen = {next(g for g in m.groups() if g).lower().replace("pendlerzug", "zug")
                for t in d["turns"] if t["role"] == "buyer"
                for m in re.finditer(VEHICLE[d["locale"]], t["text"], re.I)}
        if len(seen) > 1:
            found.append((d["call_id"], sorted(seen)))
    return found


# ---- a phone call written like a chat -------------------------------------------------------------------------------

CHAT_WORDS = re.compile(r"\b(?:(?:darum|deshalb|deswegen|also) schreibe ich Ihnen|ich schreibe Ihnen (?:jetzt|nun|gerade)|"
                        r"hier im Chat|in diesem Chat|(?:so|that's why) I'm (?:writing|messaging) (?:to )?you|"
                        r"in this chat|I'm typing this)\b", re.I)


def chat_words_on_phone(out: Path) -> list[tuple]:
    """A caller on the phone who says they are writing ("darum schreibe ich Ihnen jetzt"); the channel is the
    call's metadata (`Kanal:` / `Channel:` in OUT/transcripts/<id>.dialogue.txt)."""
    found = []
    for f in sorted((out / "transcripts").glob("*.dialogue.txt")):
        text = f.read_text(encoding="utf-8")
        m = re.search(r"^(?:Kanal|Channel): (\w+)", text, re.M)
        if not m or m.group(1) == "Chat":
            continue
        body = text.split("---- DIALOGUE ----", 1)[-1]
        found += [(f.name, x.group()) for line in body.splitlines() if not line.startswith("Agent:")
                  for x in CHAT_WORDS.finditer(line)]
    return found


# ---- today called by its weekday ------------------------------------------------------------------------------------

WEEKDAYS_DE = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


def today_by_name(out: Path) -> list[tuple]:
    """A German sales call that speaks of its own day as 'am <Wochentag>' ('ich bin am Donnerstag zum ersten Mal
    mit dem Rad gekommen' on a Thursday, 'zeichnen wir gegen noch am Montag' on a Monday): today is 'heute'.
    The day is the transcript header's date (OUT/transcripts/<id>.txt)."""
    import datetime
    found = []
    for d in calls(out):
        if d["locale"] != "de-DE" or is_service(d):
            continue
        head = (out / "transcripts" / f"{d['call_id']}.txt").read_text(encoding="utf-8").split("\n", 1)[0]
        m = re.search(r"\d{4}-\d{2}-\d{2}", head)
        if not m:
            continue
        today = WEEKDAYS_DE[datetime.date.fromisoformat(m.group()).weekday()]
        found += [(d["call_id"], s[:90]) for t in d["turns"] for s in sentences(t["text"])
                  if re.search(rf"\b(?:am|seit) {today}\b", s) and not re.search(r"\b(?:nächste|kommende|diese)", s)]
    return found
