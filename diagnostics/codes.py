"""The registry of diagnostic codes: one entry per code, read by `corpusc explain`
and by `docs/diagnostics.md` (generated with `python -m corpusc.diagnostics.codes`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    title: str
    explanation: str


_ENTRIES: list[Code] = []


def _c(code: str, severity: str, title: str, explanation: str) -> None:
    _ENTRIES.append(Code(code, severity, title, explanation.strip()))


# --- E00xx: reading and parsing ----------------------------------------------
_c("E0001", "error", "syntax error", """
The parser met a token it did not expect. The message names the token and what
would have been valid there. After a syntax error corpusc skips to the next
top-level block (`corpus`, `account`, `population`, `require`, ...) and goes on,
so every broken block is reported in one run.

    account northwind "Northwind" {
      size enterprise
      call intro on day 0 {
        stage discovery
    }                       # the account's `}` is missing

Fix the statement at the reported position; for an unclosed block the
diagnostic points at the `{` that has no partner.""")
_c("E0002", "error", "unexpected character or unterminated string", """
The lexer found a character that no token of the language starts with, or a
string whose closing quote is missing. Strings are written in double quotes and
end on the same line:

    role "VP Marketing"

Comments start with `#`.""")
_c("E0003", "error", "not a UTF-8 text file", """
A .corpus spec must be UTF-8 text. The file contains a NUL byte (it is binary)
or a byte sequence that is not UTF-8. Check that the path names the spec and
save it as UTF-8.""")
_c("E0004", "error", "empty spec", """
The file has no declarations. A spec needs at least a `corpus` block:

    corpus demo {
      seed 1
    }""")
_c("E0005", "error", "file too large", """
Spec files are limited to 5 MB. Specs are written by people; bulk calls are
described with a `population` block (`count 100000`) rather than listed, and big
specs can be split into modules with `use "./part.corpus"`.""")
_c("E0006", "error", "blocks nested too deep", """
Blocks (`{ ... }`) may nest at most 32 deep. The language needs only a few
levels (account > call > property block); deeper nesting is almost always an
unclosed `}` or generated garbage.""")

# --- E01xx: modules ----------------------------------------------------------
_c("E0101", "error", "imported file not found", """
`use "./path.corpus"` names a file relative to the importing spec, and the file
does not exist. Check the path; paths are relative to the file that contains
the `use`, not to the working directory.""")
_c("E0102", "error", "import cycle", """
A module imports itself, directly or through other modules. Imports must form
a tree (or a DAG): move the shared declarations into a third module that both
import.""")
_c("E0103", "error", "import is not a .corpus file", """
`use` loads .corpus modules only. A path ending in another extension (a JSON,
YAML or Python file) cannot be imported.""")
_c("E0104", "error", "unknown stdlib module", """
`use stdlib.NAME` names a module that the standard library does not have. The
stdlib has: stdlib.personas, stdlib.objections, stdlib.industries,
stdlib.suites.sales_call_v1, stdlib.domains.hvac, stdlib.domains.contact_center
(stdlib.core — stages, sizes, outcomes — is always loaded).""")
_c("E0105", "error", "missing or duplicate corpus block", """
The spec given on the command line must declare exactly one `corpus NAME { ... }`
block; imported modules must declare none. The corpus block holds the name,
seed, locale, start date and defaults of the whole corpus.""")

# --- E02xx: names and properties ----------------------------------------------
_c("E0201", "error", "unknown persona", """
A stakeholder's `persona` names a persona that is not declared. Personas come
from `use stdlib.personas` or from your own `persona NAME { ... }` blocks.
The diagnostic suggests the closest declared name.""")
_c("E0202", "error", "unknown objection type", """
An `arc` or a `concerns` list names an objection type that is not declared.
Objection types come from `use stdlib.objections` (pricing, implementation,
competition, risk, timeline, authority, need) or your own `objection` blocks.""")
_c("E0203", "error", "unknown rep or agent", """
A call's `with` list names someone who is neither a declared `rep`/`agent` nor a
stakeholder of any account.""")
_c("E0204", "error", "unknown stakeholder", """
A name in a call's `with` list, an arc's `by`, or a `buying_signal by` is not a
stakeholder of the account (nor a rep). Stakeholders are declared inside the
account:

    stakeholder dana "Dana Whitfield" { role "CFO" persona reluctant_adopter }""")
_c("E0205", "error", "duplicate name", """
Two declarations of the same kind share a name (two accounts `northwind`, two
calls `intro` in one account, two stakeholders `dana`). Names identify entities
in ids, file names and random streams, so they must be unique in their scope.""")
_c("E0206", "error", "unknown property", """
A block contains a property its kind does not have, often a typo. The
diagnostic lists the closest valid property. `docs/language.md` lists every
property of every block.""")
_c("E0207", "error", "invalid property value", """
A property got a value of the wrong type or out of its allowed set, e.g.
`employees "many"` (needs an integer) or `length huge` (needs short, medium,
long, a number of turns, or a duration like `5 min`).""")
_c("E0208", "error", "missing required property", """
A block lacks a property that has no sensible default, e.g. a stakeholder
without a `persona`, or a call without `with`.""")
_c("E0209", "error", "unknown name", """
A name refers to an entity that is not declared: an industry, a size, a
stage or a call. The diagnostic suggests the closest declared name.""")

# --- E03xx: accounts, threads and arcs -----------------------------------------
_c("E0301", "error", "participant is not in the account", """
A call lists a stakeholder of another account. Each account is its own thread;
stakeholders take part only in their own account's calls.""")
_c("E0302", "error", "objection raised by someone absent from the call", """
An arc step names a call in which the stakeholder who raises the objection
does not take part. Add them to the call's `with` list or move the step.""")
_c("E0303", "error", "arc steps out of call order", """
The steps of an `arc` must follow the order of the account's calls:
`raised at A -> addressed at B -> resolved at C` needs A <= B <= C in thread
order. An objection cannot be resolved before it is raised.""")
_c("E0304", "error", "thread days not increasing", """
Calls of an account are a thread: their `on day N` (or `on DATE`) must
strictly increase in the order they are written, so that references to
"last week's call" are true.""")
_c("E0305", "error", "won deal without a close stage", """
An account with `outcome won` must reach the `close` stage in its last call.
A won deal that never closes is a contradiction the ground truth would carry
into evaluation.""")
_c("E0306", "error", "stage not in the trajectory", """
A call's `stage` is not in the account's declared `trajectory`, or the calls
visit the trajectory's stages out of order.""")
_c("E0307", "error", "invalid arc", """
An arc must start with `raised at CALL`; later steps are `addressed`,
`resolved`, `unaddressed`, `reopened`, and it may end with `stalled`. `resolved`
and `stalled` end an arc. A `stalled` arc belongs to an account whose outcome
is not `won`.""")
_c("E0308", "error", "stakeholder joins at an unknown or later call", """
`joins at CALL` says in which call a stakeholder first appears (stakeholder
expansion). They must not take part in an earlier call, and CALL must be a call
of the same account.""")
_c("E0309", "warning", "call without a seller", """
A call's `with` list names no `rep`/`agent`. Sales calls have a seller side;
without one the transcript has nobody to ask discovery questions.""")
_c("E0310", "warning", "declared but never used", """
A stakeholder takes part in no call. It is kept in the plan (and in the
ground truth of its account) but never speaks.""")
_c("E0311", "error", "buyer-side participant missing", """
A call has no stakeholder of the account in its `with` list; a sales call
needs at least one buyer.""")

# --- E04xx: populations, samplers and ratios -------------------------------------
_c("E0401", "error", "weights do not sum to 100%", """
Categorical weights are exact quotas: `20%` of 1800 calls is 360 calls. They
must add up to exactly 100% so that no quota is silently rescaled. The message
gives the sum and the difference.""")
_c("E0402", "error", "ratio outside 0..100%", """
A percentage such as `divergence 130%` or a weight of `-5%` is outside 0..100%.""")
_c("E0403", "error", "clamp excludes the whole distribution", """
A `clamp lo..hi` lies entirely outside the sampler's support (e.g.
`uniform(5s, 30s) clamp 60s..90s`), or `lo > hi`; every sample would be clamped
to one edge. Widen the clamp or fix the distribution.""")
_c("E0404", "error", "invalid sampler", """
A field sampler is unknown or has wrong parameters. Samplers: `uniform(lo, hi)`,
`normal(mean M, sd S)`, `lognormal(median M, sigma S)`, `poisson(lambda L)`,
`bool(p P%)`, `int(lo, hi)`, `const(value V)`. Scale parameters must be
positive; probabilities within 0..100%.""")
_c("E0405", "error", "invalid window or hours", """
A population's `window` or `hours` range is empty or reversed: `hours
21:00..07:00`, or a window that ends before it starts. `peak` must lie within the
hours.""")
_c("E0406", "error", "unknown time zone", """
`timezone` must be an IANA zone name such as "Europe/Berlin" or
"America/Chicago". Times in the plan are local to that zone (with its DST
rules), never silently UTC.""")
_c("E0407", "error", "condition on an unknown field or value", """
A `when` condition names a field the population does not declare, or compares
a categorical field with a value that is not among its categories (which would
make the block dead code).""")
_c("E0408", "error", "count must be positive", """
`count` and `volume` must be positive integers.""")
_c("E0409", "warning", "ratio cannot be met exactly", """
The declared divergence ratio cannot be realized exactly with the number of
annotated moments (e.g. 30% of 4 moments). The nearest count is used; the
message says which.""")

_c("E0410", "error", "weight adjustment depends on a later field", """
A `when` block may raise or lower a categorical field's categories for the
calls it matches (`scenario weights { emergency_service 250% }`), but only on
`hour` and `weekday`: categories are assigned once the calendar is laid out and
before any other field exists. The field's overall shares stay exactly as
declared; the adjustment moves its categories towards the matching calls.

    when hour >= 18 or weekday in [sat, sun] {
      scenario weights { emergency_service 250% spam_filtered 160% }
    }""")
_c("E0411", "error", "no agent on shift", """
The population's `agent` field names agents whose shifts (`shifts { early
06:00..14:00 ... }`) leave part of `hours` uncovered: calls at those times
would have no agent to take them. Extend a shift, add an agent on a covering
shift, or narrow `hours`.""")
_c("E0412", "warning", "a later `when` undoes a fixed field", """
A `when` block fixes a field to one value (`const(value 0)`, or `int(lo 0, hi
0)`), and a later block draws the same field again for calls both blocks may
match. Every matching block draws in order and the later one wins, so the
fixed value is lost for those calls: a chat block that sets `Hold_time` to 0,
followed by a transfer block that draws `Hold_time`, gives transferred chats
a hold.

    when channel == text { field Hold_time: const(value 0) }
    when scenario == transfer_to_specialist {
      field Hold_time: lognormal(median 60.0, sigma 0.7)   # chats hold again
    }

Move the block that fixes the field after the other one. A later block that
only narrows the earlier one (`when channel == text and scenario == x`) is an
intended override and is not reported, nor are blocks whose conditions exclude
each other (`scenario == a` and `scenario == b`, `hour < 18` and `hour >= 18`).""")


# --- E05xx: emit --------------------------------------------------------------
_c("E0501", "error", "unknown emit backend", """
`emit NAME` names a backend that is not registered. Built in: transcripts,
ground_truth, audio, vcp, sa. Third-party backends register through the
`corpusc.backends` entry-point group.""")
_c("E0502", "error", "unknown emit option", """
An option in an `emit` block is not one the backend accepts. The message lists
the closest option; `docs/language.md` lists each backend's options.""")
_c("E0503", "error", "invalid emit option value", """
An emit option has a value outside its allowed set, e.g. `formats [docx]` or
`mode fast` for vcp (gtm or full). Each backend declares its options as a
pydantic model, third-party backends included, and the backend receives
exactly the values checked here.""")
_c("E0504", "error", "no renderer implements this engine", """
`engine NAME` (in the corpus block or in `emit transcripts`) names a renderer
that is not registered. Renderers register through the `corpusc.renderers`
entry-point group; corpusc ships `template`. The message lists the ones
installed.""")
_c("E0505", "error", "locale not supported by the renderer", """
A `locale` (of the corpus, a call or a population) or a locale value of a
population's `language` field is one the build's renderer cannot write. The
template renderer writes the locales that have phrase banks under
stdlib/phrases/<locale>/ (en-US and de-DE); the message lists them. Without
this check such calls would be written in another language.""")
_c("E0506", "warning", "ground truth located in a transcript the build does not write", """
`emit ground_truth` locates every label at character offsets of the plain
transcript `transcripts/<call>.txt`, and this spec's transcripts write no
`txt` (or it emits no transcripts at all): the offsets would point into a file
the build never writes, and `corpusc verify` fails on such a build (E0704).
Add `txt` to `formats` of `emit transcripts`. With `profile spitch` the Spitch
dialogue files have their own folder (`transcripts/spitch/`), so `txt` can be
written beside them.""")

# --- E06xx: requirements --------------------------------------------------------
_c("E0601", "error", "requirement not met", """
A `require` statement evaluated on the plan does not hold. The plan is computed
before any text is generated, so this is caught in CI, not after a long build.
The message says what was measured, what is missing, and the coverage table
(`corpusc check`) lists the calls that do satisfy it.""")
_c("E0602", "warning", "expectation not met", """
An `expect` statement does not hold on the plan. Like E0601, but a warning:
`corpusc check` still exits 0.""")
_c("E0603", "error", "invalid requirement", """
A requirement refers to an unknown collection or field, or compares values of
different kinds. Collections: accounts, stakeholders, calls, threads, moments,
objections. `docs/language.md` lists the fields of each.""")

# --- E07xx: build and verify ---------------------------------------------------
_c("E0701", "error", "output file missing", """
`corpusc verify` found a file that manifest.json records (or that the plan
requires) missing from the output directory. Rebuild with `corpusc build`;
the rebuild renders only what is missing.""")
_c("E0702", "error", "output file changed", """
A file's sha256 differs from the one manifest.json recorded at build time: it
was edited or truncated after the build. Rebuild to restore it, or rebuild
from an edited spec if the change was intended.""")
_c("E0703", "error", "ground truth does not match the transcript", """
A ground-truth signal's character offsets do not point at its quoted words in
`transcripts/<call>.txt`, or it names the wrong turn. Ground truth is written
from the plan together with the transcript, so this means one of the two was
altered after the build.""")
_c("E0704", "error", "planned item not realized", """
A beat, speaker, turn count or paralinguistic cue of the plan does not appear
in the rendered outputs: the transcript has the wrong number of turns, a turn
is spoken by someone else, a moment's cues are missing, or cues appear where
the plan has none. For a contact-center call also: the metadata's
`Hold_time` is not the call's `hold Ns` gaps, its `Silence_total_seconds` not
the call's silence (a voice call: every stretch of 2 s and more of the
transcript's or timeline's times without speech or hold music; a chat: its
`silence` waits), its `Silence_ratio` not that silence over the call's length,
or its `Interruptions_count` not the turns cued INTERRUPTS.""")
_c("E0705", "error", "cannot verify this directory", """
The directory has no readable manifest.json, or the spec it was built from
cannot be found or no longer compiles. `corpusc verify` re-derives the plan
from the spec recorded in the manifest.""")
_c("E0706", "warning", "spec changed since the build", """
The spec recorded in manifest.json has changed since the outputs were built
(its hash differs). Verification uses the current spec; rebuild to bring the
outputs up to date.""")
_c("E0707", "error", "signal sentence without a label", """
A sentence of a sales transcript says one of its locale's signal terms (the
`classify.signal_terms` of `stdlib/phrases/<locale>/lexicon.json`: price,
timeline, sign-off, a competitor's name, ...) and no ground-truth label of that
category covers it, so a pipeline that finds it would be scored as wrong. The
renderer labels a sentence by what it drew it from: declare the phrase-bank key,
slot or template in `stdlib/phrases/signal_keys.json` (docs/ground_truth.md), or
change the template so it no longer reads as a signal it is not.""")
_c("E0708", "error", "contradictory labels on one turn", """
One turn carries labels that cannot both hold: a divergent moment ("hidden
concern") on a buying signal or on the turn an objection is resolved, one arc
raised and resolved in the same turn, or pushback said in passing (an
`objection` with key null) on the turn where the buyer accepts an answer. The
planner never schedules the first three on one turn and the renderer draws no
unplanned pushback into an accepting turn; the plan or the ground truth was
changed.""")
_c("E0709", "error", "planned objection step without evidence", """
A step of an objection arc (raised, reopened, addressed, unaddressed, resolved,
stalled) planned for this call has no located evidence in the ground truth's
`objection_steps`: the renderer did not tag the sentence that realizes it, or
the ground truth was altered after the build.""")
_c("E0710", "error", "persona classification without behavioural evidence", """
A participant's persona must cite at least two of their own turns where the
persona shows in what they did (objections, signals, questions, lines of its
own voice, hesitations, turn lengths), not small talk, greetings or another
speaker's turns, and its rationale and `shown` items must say exactly those
turns and hold in the transcript (a question is asked there, a label or cue is
there, a length is the turn's word count against the buyers' median). A
participant the call gave no room to show the persona is not classified
(`persona_unclassified`), never classified from fewer turns.""")
_c("E0716", "error", "filler without a disfluency label", """
A transcript says a filler of its locale (the `fillers` of
`stdlib/phrases/<locale>/lexicon.json`: "um", "hm", "Well," opening a sentence,
", you know,"; "äh", "Tja,", ", wissen Sie,") that no `filler` disfluency of
the ground truth covers, so a pipeline that counts hesitations would be scored
as wrong. The renderer labels every filler, those the dynamics insert and those
a sentence was drawn with (a caller's lead "Tja,", a persona's "Hm, let me
think"): the ground truth was altered after the build, or a phrase bank says a
filler word the lexicon does not list.""")

_c("E0719", "error", "two outputs at one path", """
Two backends (or two formats of one) wrote the same file for a call, so one
would silently replace the other. Built-in backends keep their files apart
(the Spitch profile's dialogue files have a folder of their own,
`transcripts/spitch/`, so the plain `txt` the ground truth is located in never
sits among them); a third-party backend must choose paths no other backend
writes, for example under a folder named after it.""")

# --- E07xx (audio) --------------------------------------------------------------
_c("E0711", "error", "offline speech engine unavailable", """
`engine espeak` drives libespeak-ng from the `espeakng-loader` wheel in-process,
and the library or its data could not be loaded, or it has no voice for the
call's language. Reinstall the dependencies (`pip install --force-reinstall
espeakng-loader`), use a locale espeak-ng speaks (en, de, he, ...), or switch to
`emit audio { engine openai }`.""")
_c("E0712", "error", "OpenAI API key missing", """
`engine openai` reads the API key from the OPENAI_API_KEY environment variable
only (never from the spec or a file, and it is never written anywhere). Set it
before building:

    export OPENAI_API_KEY=sk-...
    corpusc build spec.corpus

or use the offline `emit audio { engine espeak }`.""")
_c("E0713", "error", "text-to-speech request failed", """
A request to the speech endpoint failed for good: the key or model was refused
(401, 403, 404), or every retry of a 429 / 5xx / broken connection ran out.
Check the key, the `model` of `emit audio`, and OPENAI_BASE_URL if set; then
rebuild. Audio already received is cached in `DIR/.corpusc/tts-cache/`, so the
rebuild only requests what is missing.""")
_c("E0714", "error", "audio encoder unavailable", """
`format mp3` and `format ogg` need an encoder: libsndfile's own (1.1 and later)
or ffmpeg through pydub, and neither is available. Install ffmpeg (for example
`apt-get install ffmpeg`), or use `format wav`, which needs nothing else.""")
_c("E0715", "error", "invalid audio option", """
An `emit audio` option has a value the backend cannot use: `telephony` is
8 kHz narrowband, so it cannot be combined with another `sample_rate`; a sample
rate must be between 8000 and 96000 Hz; `encoding` is `pcm16` (the default) or
`mulaw`, and `mulaw` is a WAV encoding, so it needs `format wav`; `loudness` is
the active speech level in dBFS between -60 and -3 (e.g. `loudness -20`).""")
_c("E0721", "error", "audio duration does not match its timeline", """
The audio file's duration differs from the end of its timeline
(`audio/<call>.timeline.json`) by more than 10 ms: the audio or the timeline
was cut, padded or replaced after the build. Rebuild the call.""")
_c("E0722", "error", "speech segment is silent", """
A turn of the timeline has no energy in its channel of the audio file (C1 =
left = seller side, C2 = right = customer side): the audio was altered, or the
channels were swapped. Rebuild the call.""")
_c("E0723", "error", "pause is not silent", """
A `[2.1s pause]` or `[silence Ns]` of the timeline is not silence in the audio
file: the pause is mistimed or something was mixed into it. Rebuild the call.""")
_c("E0724", "error", "interruption does not overlap", """
A turn cued `[INTERRUPTS]` should talk over the previous utterance for
150-600 ms, and the audio has no speech of both speakers in that stretch. The
audio or the timeline was altered after the build; rebuild the call.""")
_c("E0725", "error", "unreadable audio or timeline", """
An audio file of the build cannot be decoded, or its timeline
(`<call>.timeline.json`, `<call>.wav.json`) is not valid JSON. Rebuild the call.""")

# --- E073x (the LLM renderer, `engine llm`) ------------------------------------
_c("E0731", "error", "LLM API key missing", """
`engine llm` reads the API key from the environment variable its `api_key_env`
option names (default OPENAI_API_KEY), never from the spec or a file, and
never writes it anywhere. Set it before building:

    export OPENAI_API_KEY=sk-...
    corpusc build spec.corpus

A local server that needs no key (vLLM, Ollama, llama.cpp) takes any value.
`corpusc build --offline` needs no key: it uses the cache only.""")
_c("E0732", "error", "LLM request failed", """
A chat-completions request failed for good: the key or the model was refused
(401, 403, 404), or every retry of a 429 / 5xx / broken connection ran out
(Retry-After is honoured). Check the key, `model` and `base_url` of `emit
transcripts`; then rebuild. Answers already received are cached in
`OUT/.corpusc/llm/`, so the rebuild asks only for the rest.""")
_c("E0733", "error", "LLM call does not follow its plan", """
With `fallback fail`, a call whose answers still fail verification after
`max_repairs` repair rounds (a missing beat, a wrong speaker, the wrong word
polarity for a moment, recited catalog text, personal data, a length out of
bounds, invalid JSON, a cut-off answer) stops the build with the reasons.
Raise `max_repairs`, try another `model`, or set `fallback template`: such a
call is then written by the template renderer and flagged in its ground
truth (`rendering.fallback`).""")
_c("E0734", "error", "LLM answer not in the cache", """
`corpusc build --offline` makes no request: every answer must already be in
the cache (`OUT/.corpusc/llm/`, or the `cache` folder of `emit transcripts`).
A call whose plan, prompts, model or options changed since the cache was
filled needs one build with the key set.""")

_c("E0735", "error", "LLM cost estimate over budget", """
`budget 20 usd` in `emit transcripts` (engine llm) is compared with `corpusc
plan`'s estimate of the first round of requests (prompts rendered exactly as
the build sends them, completions from the planned words, prices from
`render/llm/prices.json` or the spec's `price_input` / `price_output`). The
estimate is over the budget, or the model has no price to estimate with.
Raise the budget, choose a cheaper model, or plan fewer or shorter calls;
repairs and a judge model come on top of the estimate.""")
_c("E0736", "error", "the Batch API needs engine llm", """
`corpusc build --batch` and `corpusc batch status|collect` send a spec's
model requests through the Batch API: they need `engine llm` in `emit
transcripts`. The template renderer asks no model; build without --batch.""")

# --- E08xx: delivery ------------------------------------------------------------
_c("E0801", "error", "cannot deliver from this directory", """
`corpusc deliver` reads a built corpus: the directory must exist and be the
`-o` directory of `corpusc build` (it holds manifest.json). Check the path, or
build first:

    corpusc build spec.corpus -o out/spec
    corpusc deliver vcp out/spec --url https://example.org/hook""")
_c("E0802", "error", "no payloads to deliver", """
The directory holds no payload of this kind: manifest.json lists no
`vcp/<call>.json` (or `sa/<call>.json`) file and there is no such folder. Add the
backend to the spec and build again:

    emit vcp { version "0.3" mode gtm }
    emit sa { index_name "my-index" }""")
_c("E0803", "error", "invalid delivery URL", """
`--url` (or SA_URL) must be an absolute http:// or https:// URL with a host,
for example `https://sa.example.org/api/upload`. Credentials in the URL
(`https://user:pass@host/...`, query strings, secret path segments) are
accepted and never printed.""")
_c("E0804", "error", "invalid request header", """
`--header` takes `Name: value` (or `Name=value`); the name must be a valid HTTP
token. `Content-Type`, `Content-Length`, `Host` and `Idempotency-Key` are set
by corpusc and cannot be overridden; pass a bearer token with `--token-env
NAME` instead of writing it on the command line.""")
_c("E0805", "error", "unreadable payload", """
A payload file (or a file an SA descriptor refers to: the `.wav.json`
timeline, the `.wav` audio) is missing, unreadable or not valid JSON. Rebuild
the corpus (`corpusc build` rewrites missing files) and check that the build
emitted the backends the payload needs (`emit audio` for SA uploads).""")
_c("E0806", "error", "payload would be rejected by the receiver", """
`--dry-run` checked the payload as its receiver checks it and the receiver
would reject it. VCP: `specs/vcp-0.3.schema.json` says what VoiceLens's VCP
0.3 models check (field types, required fields, the call_id match). SA:
`specs/sa-upload.schema.json` for the upload's `data`, then the files sent
with it (the `.wav.json` timeline's shape, audio for voice calls and none for
text calls). The message names the file and the failing field; the first few
payloads are shown, the rest counted by field. Payloads are written by
`corpusc build`; a mismatch means the file was edited or written by an older
corpusc: rebuild it.""")
_c("E0807", "error", "payload rejected by the receiver", """
The receiver answered with a 4xx status other than 408 and 429, which means the
request itself is wrong (bad credentials, a wrong URL, a payload it refuses).
corpusc does not retry these; the message carries the start of the response
body. Fix the cause and run the same command again: only payloads not yet
confirmed are sent (`--only-failed` sends just the failed ones).""")
_c("E0808", "error", "payload not delivered after retries", """
Every attempt failed with a retryable error (5xx, 408, 429, a timeout or a
broken connection) and the retries ran out. Check that the receiver is up,
lower `--rps` or `--concurrency`, raise `--retries` or `--timeout`, and run the
same command again: the journal makes the rerun send only what is still
unconfirmed.""")
_c("E0809", "error", "missing or invalid delivery setting", """
A required setting has no value or a bad one: `--project-id`,
`--pipeline-id`, `--storage-backend-id` (or SA_PROJECT_ID, SA_PIPELINE_ID),
a timeout from SA_CONNECT_TIMEOUT / SA_READ_TIMEOUT that is not a positive
number, or `--token-env NAME` naming an environment variable that is unset or
empty. Set it on the command line or in the environment.""")
_c("E0810", "error", "delivery journal unavailable", """
The delivery journal `DIR/.corpusc/delivery.sqlite` could not be opened, or
another `corpusc deliver` is running on the same directory right now (the
journal is locked so two runs never send the same payload twice). Wait for the
other run, or check that the directory is writable.""")
_c("E0811", "warning", "payload changed since the build", """
The payload file's sha256 differs from the one manifest.json recorded when it
was built: the file was edited afterwards. corpusc sends the bytes on disk
(the idempotency key follows them); rebuild if the edit was not intended.""")

# --- E10xx: bounds: what can be planned ----------------------------------------
_c("E1001", "error", "count too large", """
A count asks for more than can be planned. A spec plans at most 10,000,000
calls in all: each population's `count` (or `volume` times the days of its
window) and the calls of its accounts add up to that. One call has at most
720 turns (`turns`, `length N turns`) and at most 720 annotated `moments` (4
hours at 20 seconds a turn, the longest `length`).

    population inbound {
      count 2000000000      # two billion: a typo, or a corpus no build finishes
    }

The planner lays out every call of a population (its day, second and
categories) before streaming the calls, so the cap is what keeps `plan` and
`build` within memory and time. Lower the count, or split a very large corpus
into several specs.""")
_c("E1002", "error", "day offset out of range", """
`call NAME on day N` places a call N days after the corpus `starts`; N runs
from -36,525 to 36,525 (a century each way).

    call review on day 3000000 {   # 8,000 years after `starts`

Move `starts` nearer to the calls, or date the call (`on 2026-02-11`).""")
_c("E1003", "error", "window too long", """
A population's `window` is at most 3,660 days (ten years with their leap
days): the planner apportions the calls to every day of the window.

    window 3000000 days

Split traffic that spans more than ten years into several populations, each
with its own window.""")
_c("E1004", "error", "date out of range", """
Every date a call can fall on lies between 1970-01-01 and 2999-12-31: the
corpus `starts`, a call's `on DATE` and the day `on day N` lands on, and both
ends of a population's `window`. Before 1970 the time-zone database records
local mean times with offsets in seconds, which the plan's timestamps cannot
carry; the upper bound keeps every local and UTC time, and the days after it,
inside Python's calendar (which ends at 9999-12-31).

    corpus demo {
      starts 9999-12-31

Choose a date in that range.""")
_c("E1005", "error", "nesting too deep", """
Lists, parentheses and `not` are nested more than 32 levels deep. Each level
nests the syntax tree that corpusc walks by recursion; no spec needs more than
a few. (Blocks `{ }` have their own limit, E0006.)

    require all calls: not not not not ... paralinguistics

Write lists flat (`[a, b, c]`), drop redundant parentheses, and cancel pairs
of `not`.""")

# --- E11xx: score: predictions against the ground truth ------------------------
_c("E1101", "error", "predictions are not JSON", """
`corpusc score` reads predictions as JSON Lines (one object per line, one line
per call) or as a folder of `<call_id>.json` files. A line that is not one
complete JSON object, or a file that is not UTF-8, stops the scoring: nothing
is scored from a file that may be cut short.

    {"call_id": "northwind.intro", "signals": [}      # a bracket too few

Fix the line at the reported position (a JSON linter shows the same place).
The format is docs/scoring.md; its schema is specs/predictions.schema.json.""")
_c("E1102", "error", "prediction does not fit the format", """
The object parses as JSON but is not a call's predictions: a field the format
lacks, a wrong type, a span with no unit or two units, a confidence outside
0..1. The message names the field by its path (`signals.2.span`).

    {"call_id": "northwind.intro",
     "signals": [{"layer": "surface", "category": "pricing", "speaker": "dana",
                  "span": {"turn": 4, "time": [10.0, 12.5]}}]}   # two units

A span gives one unit: `{turn}`, `{turns: [first, last]}`, `{turn, start,
end, in: turn}`, `{start, end, in: txt|vtt|srt}`, `{time: [from, to]}` or
`{quote}` (optionally with `turn`). See docs/scoring.md.""")
_c("E1103", "warning", "prediction for a call the corpus lacks", """
A prediction names a `call_id` that is not in the build's manifest (it is
ignored), or calls of the corpus have no prediction (each is scored as a
call where the pipeline found nothing, so its labels count as misses).
Usually the call ids were rewritten, or the predictions belong to another
build. `--strict` makes this an error.""")
_c("E1104", "error", "call predicted twice", """
Two prediction objects name the same `call_id`. Which one to score is
ambiguous, so neither silently wins: merge them into one object.""")
_c("E1105", "warning", "unknown name in a prediction", """
A prediction uses a name the corpus does not have: a signal category no
layer defines (docs/ground_truth.md lists them), a speaker who is not a
participant of the call, a field the call's metadata lacks. The prediction
is scored as a false positive (a field is ignored). `--strict` makes this an
error.""")
_c("E1106", "warning", "span outside the call", """
A prediction's span cannot be placed in the call: a turn past its last
turn, characters past the end of the transcript or the turn, a time after
the call ends, a quote that is not in it, or a unit whose file the build did
not emit (`in: vtt` without vtt transcripts). The prediction is scored as a
false positive. `--strict` makes this an error.""")
_c("E1107", "error", "nothing to score against", """
The folder given to `corpusc score` is not a build output with ground
truth: it has no `manifest.json`, or a call has no `ground_truth/<call>.json`.
Add `emit ground_truth` to the spec and run `corpusc build`.""")
_c("E1108", "error", "score below the bar", """
`--min-f1 0.8` (overall, the micro F1 over every signal category) or
`--min-f1 layer/category=0.7` (one category, as the report names it, e.g.
`surface/pricing=0.7` or `divergence=0.6`) sets a bar; a score below it
makes `corpusc score` exit 1, so CI fails. A bar naming a category the
corpus does not have is a usage error.""")

# --- E09xx: internal ------------------------------------------------------------
_c("E0901", "error", "internal error", """
corpusc hit a bug. The diagnostic carries the exception; please report it with
the spec that triggers it (corpusc never shows a Python traceback to the user;
set CORPUSC_DEBUG=1 to get one for the report).""")
_c("E0902", "error", "cannot read file", """
The file could not be opened: it does not exist, is a directory, or is not
readable.""")
_c("E0903", "error", "cannot write output", """
An output file could not be written: `plan -o FILE` or `check --coverage FILE`
onto a read-only or full file system, or into a folder that is a file.
Nothing is left behind; choose another path.

The build could not write to its output directory: the disk is full, the
directory is not writable, or a path in it is taken by a file where a folder
belongs. The files of the calls finished before the error are kept and
listed in the index; fix the cause and run the same build again, and it
renders only what is missing.""")

CODES: dict[str, Code] = {c.code: c for c in _ENTRIES}


def markdown() -> str:
    out = ["# Diagnostics", "",
           "Every diagnostic corpusc prints has a code. `corpusc explain CODE` prints the entry below.",
           "This file is generated from `diagnostics/codes.py` (`python -m corpusc.diagnostics.codes > docs/diagnostics.md`).",
           ""]
    for c in _ENTRIES:
        out += [f"## {c.code}: {c.title}", "", f"Severity: {c.severity}", "", c.explanation, ""]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover - exercised by the docs test
    print(markdown(), end="")
