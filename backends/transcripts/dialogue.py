"""The contact-center dialogue text (seed 004): localized `key: value` header
lines, `---- DIALOGUE ----`, then `Agent:` / `Customer:` (`Kunde:` in German)
turns, with `[hold Ns]` and `[silence Ns]` on lines of their own where the
call holds or goes quiet (a chat's are time between its typed messages: no line). The header's keys and typed values are the call's
metadata (backends/header.py), so the dialogue, the `.wav.json` timeline and
the SA upload agree. `profile spitch` (`spitch_dialogue`) writes the Spitch
generator's own header and file name instead (docs/formats.md)."""

from __future__ import annotations

from typing import Any

from corpusc.plan.model import Call

from corpusc.backends.base import Artifact, Context
from corpusc.backends.header import call_header, generator_path, spitch_flat, spitch_header, spitch_stem
from corpusc.render.model import RenderedCall
from corpusc.render.text import inline, typed

MARK = "---- DIALOGUE ----"

# header labels per language; a key not listed is written as it is
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "call_id": "Call ID", "date": "Date", "time": "Time", "weekday": "Weekday", "start_utc": "Start (UTC)",
        "timezone": "Time zone", "time_of_day_bucket": "Time of day", "agent": "Agent ID",
        "agent_name": "Agent name", "team": "Team", "agent_shift": "Shift", "customer_segment": "Customer segment",
        "channel": "Channel", "language": "Language", "region": "Region", "device_type": "Device",
        "intent": "Intent", "scenario": "Scenario", "duration_sec": "Duration (s)", "AWT": "Wait time (s)",
        "Hold_time": "Hold time (s)", "Transfers_count": "Transfers", "Silence_ratio": "Silence ratio (%)",
        "Silence_total_seconds": "Silence total (s)", "Interruptions_count": "Interruptions", "FCR": "FCR",
        "repeat_call_within_72h": "Repeat call within 72h", "escalation": "Escalation",
        "complaint_category": "Complaint category", "NPS_score": "NPS", "sentiment_score": "Sentiment",
        "product": "Product", "amount_bucket": "Amount", "self_service_potential": "Self-service potential",
        "automation_action_present": "Automation action", "automation_action_type": "Automation type",
        "ANI": "ANI", "kb_article_used": "KB article used", "language_switch": "Language switch",
        "pii_disclosure_flag": "PII disclosed", "script_adherence": "Script adherence (%)",
    },
    "de": {
        "call_id": "Anruf-ID", "date": "Datum", "time": "Uhrzeit", "weekday": "Wochentag",
        "start_utc": "Beginn (UTC)", "timezone": "Zeitzone", "time_of_day_bucket": "Tageszeit",
        "agent": "Agent-ID", "agent_name": "Agent", "team": "Team", "agent_shift": "Schicht",
        "customer_segment": "Kundensegment", "channel": "Kanal", "language": "Sprache", "region": "Region",
        "device_type": "Gerät", "intent": "Anliegen", "scenario": "Szenario", "duration_sec": "Dauer (s)",
        "AWT": "Wartezeit (s)", "Hold_time": "Haltezeit (s)", "Transfers_count": "Weiterleitungen",
        "Silence_ratio": "Stilleanteil (%)", "Silence_total_seconds": "Stille gesamt (s)",
        "Interruptions_count": "Unterbrechungen", "FCR": "Erstlösung",
        "repeat_call_within_72h": "Wiederholungsanruf innerhalb 72 h", "escalation": "Eskalation",
        "complaint_category": "Beschwerdekategorie", "NPS_score": "NPS", "sentiment_score": "Stimmung",
        "product": "Produkt", "amount_bucket": "Betrag", "self_service_potential": "Self-Service-Potenzial",
        "automation_action_present": "Automatisierung", "automation_action_type": "Automatisierungsart",
        "ANI": "Rufnummer", "kb_article_used": "Wissensartikel genutzt", "language_switch": "Sprachwechsel",
        "pii_disclosure_flag": "Personenbezogene Daten genannt", "script_adherence": "Leitfadentreue (%)",
    },
}
# values that read differently per language (booleans, weekdays, channels, buckets)
VALUES: dict[str, dict[Any, str]] = {
    "en": {True: "yes", False: "no", "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
           "fri": "Friday", "sat": "Saturday", "sun": "Sunday"},
    "de": {True: "ja", False: "nein", "mon": "Montag", "tue": "Dienstag", "wed": "Mittwoch", "thu": "Donnerstag",
           "fri": "Freitag", "sat": "Samstag", "sun": "Sonntag", "voice": "Telefon", "text": "Chat",
           "night": "Nacht", "morning": "Morgen", "midday": "Mittag", "afternoon": "Nachmittag",
           "evening": "Abend", "early": "Früh", "late": "Spät", "day": "Tag"},
}
SPEAKERS = {"en": ("Agent", "Customer"), "de": ("Agent", "Kunde")}
LOCALIZED_KEYS = {"weekday", "channel", "time_of_day_bucket", "agent_shift"}


def _lang(locale: str) -> str:
    lang = locale.split("-")[0].lower()
    return lang if lang in LABELS else "en"


def _value(key: str, v: Any, lang: str) -> str:
    if isinstance(v, bool):
        return VALUES[lang][v]
    if isinstance(v, dict):
        return ", ".join(f"{k}={_value(k, x, lang)}" for k, x in v.items())
    if key in LOCALIZED_KEYS and v in VALUES[lang]:
        return VALUES[lang][v]
    if isinstance(v, float) and lang == "de":
        return f"{v:g}".replace(".", ",")
    return "" if v is None else str(v)


def _line(text: str) -> str:
    return " ".join(text.split())


def dialogue(call: Call, rc: RenderedCall) -> str:
    lang = _lang(call.locale)
    labels = LABELS[lang]
    out = [f"{labels.get(k, k)}: {_value(k, v, lang)}" for k, v in call_header(call).items()]
    out.append(MARK)
    agent, customer = SPEAKERS[lang]
    chat = call.medium == "chat"
    for t in rc.turns:
        if chat:  # typed: the waits are time between messages, no line of their own (render/text.typed)
            t = typed(call, t)
        out += [f"[{c}]" for c in t.cues if c.startswith(("hold ", "silence "))]
        spoken = t.model_copy(update={"cues": [c for c, _ in t.placed() if not c.startswith(("hold ", "silence "))],
                                      "cue_at": [a for c, a in t.placed() if not c.startswith(("hold ", "silence "))]})
        head, text = inline(spoken)  # mid-turn cues stay where they apply
        who = agent if t.side == "seller" else customer
        out.append(f"{who}: {head}{_line(text)}")
    return "\n".join(out) + "\n"


def _spitch_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "None" if v is None else str(v)  # floats keep `.`: `17.884`


def spitch_dialogue(call: Call, rc: RenderedCall, generator: str) -> str:
    """`profile spitch`: the header as the Spitch generator's audio step reads it
    for every language (its English field names, `true`/`false`, numbers with
    `.`, `None` for no value), a blank line, the mark, then the turns with only the
    `[hold Ns]` / `[silence Ns]` tags its audio step reads."""
    head = spitch_flat(spitch_header(call), generator)
    # `key:value` with no space: the audio step keeps what follows the colon as the string value
    out = [f"{k}:{_spitch_value(v)}" for k, v in head.items()]
    out += ["", MARK]
    agent, customer = SPEAKERS[_lang(call.locale)]
    for t in rc.turns:
        out += [f"[{c}]" for c in t.cues if c.startswith(("hold ", "silence "))]
        out.append(f"{agent if t.side == 'seller' else customer}: {_line(t.text)}")
    return "\n".join(out) + "\n"


SPITCH_FOLDER = "transcripts/spitch"


def spitch_artifact(call: Call, rc: RenderedCall, ctx: Context) -> Artifact:
    """`transcripts/spitch/{Agent_Name}_{YYYYMMDDHHMMSS}_{ANI}.txt`, the name the
    generator gives it, in a folder of its own: the generator's audio step
    reads every `*.txt` of its `--in_dir` as a dialogue, and the plain `txt`
    transcripts (where the ground truth is located) are `.txt` files too."""
    text = spitch_dialogue(call, rc, generator_path(ctx))
    return Artifact(f"{SPITCH_FOLDER}/{spitch_stem(call)}.txt", text.encode("utf-8"))
