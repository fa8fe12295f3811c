"""A local OpenAI-compatible chat-completions server for the LLM renderer's
tests and benchmark: started on 127.0.0.1 by the test, never the network.

It writes a call from the machine-readable outline the prompt carries
(`<outline>{...}</outline>`), in its own words (not the renderer's lexicon:
an objection about pricing says "price", a competitor is named, a positive
moment says "great"), and it can be told to break an answer in each way the
renderer must catch: `script[call_id]` is a list of modes used one per
request for that call (then `default`)."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = ("ok", "wrong_speaker", "missing_beat", "wrong_polarity", "recite", "invalid_json", "length",
         "content_filter", "http429", "http500", "personal_data", "too_short")
# the violation kinds the renderer reports for each injected mode (the confusion table's columns)
EXPECTED = {"wrong_speaker": {"speaker", "schema"}, "missing_beat": {"missing_beat"}, "wrong_polarity": {"polarity"},
            "recite": {"catalog"}, "invalid_json": {"invalid_json"}, "length": {"finish_length"},
            "content_filter": {"finish_content_filter"}, "personal_data": {"personal_data"}, "too_short": {"length"}}

# its own words per language (what a model would say), keyed by the locale's language
WORDS = {
    "en": {
        "objection": {"pricing": "The price is more than our budget allows right now.",
                      "timeline": "The timeline feels tight for this quarter.",
                      "implementation": "I'm not sure who would handle the rollout and the CRM integration.",
                      "competition": "Another vendor offered something similar, so we want to compare.",
                      "need": "I'm not convinced we need this, what we have already works.",
                      "risk": "Security and data privacy are a real risk for us.",
                      "authority": "I can't decide this alone, leadership has to approve it."},
        "answer": {"pricing": "the price", "timeline": "the timeline", "implementation": "the rollout",
                   "competition": "the comparison with the other vendor", "need": "whether you need this",
                   "risk": "the security risk", "authority": "who has to approve it"},
        "answered": "Let's talk about {topic}: here is what we can do.",
        "concern": "I still have a concern about {key}.",
        "competitor": "We also had a look at {key} recently.",
        "intro": "I'm {first}, glad to join.",
        "other": "Let me cover the {kind} part now.",
        "filler": "So, on our side, we would walk through that part step by step.",
        "plainly": "Okay, let me note that down.",
        "plain": {"opening": "Hi everyone, thanks for joining today.", "small_talk": "How was your week so far?",
                  "reference": "Last time we spoke about how your team reviews calls.",
                  "agenda": "Here is what I would suggest we cover today.",
                  "buying_signal": "How soon could we get started if we moved ahead?",
                  "next_steps": "As a next step, I will send the proposal by Friday.",
                  "close": "Thanks everyone, talk soon."},
        "moment": {"positive": "This is great, I really like it.", "negative": "I'm worried, this looks difficult."},
    },
    "de": {
        "objection": {"pricing": "Der Preis liegt über unserem Budget.",
                      "timeline": "Der Zeitplan ist für dieses Quartal knapp.",
                      "implementation": "Wer soll die Einführung und die CRM-Integration übernehmen?",
                      "competition": "Ein anderer Anbieter hat etwas Ähnliches, wir wollen vergleichen.",
                      "need": "Ich weiß nicht, ob wir das brauchen, unser System funktioniert.",
                      "risk": "Datenschutz und Sicherheit sind für uns ein echtes Risiko.",
                      "authority": "Das kann ich nicht allein entscheiden, die Geschäftsführung muss zustimmen."},
        "answer": {"pricing": "Preis", "timeline": "Zeitplan", "implementation": "Einführung",
                   "competition": "Vergleich mit dem anderen Anbieter", "need": "Bedarf",
                   "risk": "Risiko und Datenschutz", "authority": "Freigabe durch die Geschäftsführung"},
        "answered": "Zum Thema {topic}: so können wir das lösen.",
        "concern": "Ich habe noch eine Frage zu {key}.",
        "competitor": "Wir haben uns kürzlich auch {key} angesehen.",
        "intro": "Ich bin {first}, schön dabei zu sein.",
        "other": "Dann komme ich jetzt zum Punkt {kind}.",
        "filler": "Also, auf unserer Seite würden wir das Schritt für Schritt durchgehen.",
        "plainly": "Okay, ich notiere mir das.",
        "plain": {"opening": "Hallo zusammen, danke fürs Dabeisein.", "small_talk": "Wie war Ihre Woche bisher?",
                  "reference": "Beim letzten Mal haben wir über Ihre Gesprächsauswertung gesprochen.",
                  "agenda": "Ich schlage vor, dass wir heute Folgendes besprechen.",
                  "buying_signal": "Wie schnell könnten wir starten, wenn wir weitermachen?",
                  "next_steps": "Als nächsten Schritt schicke ich Ihnen bis Freitag das Angebot.",
                  "close": "Danke Ihnen allen, bis bald."},
        "moment": {"positive": "Das ist super, das gefällt mir wirklich.",
                   "negative": "Ich mache mir Sorgen, das wirkt schwierig."},
    },
}


def words(outline: dict) -> dict:
    return WORDS.get(outline.get("locale", "en")[:2], WORDS["en"])


def sentence(c: dict, name: str, w: dict) -> str:
    kind, key = c["kind"], c.get("key")
    if kind == "moment":
        return w["moment"][c["polarity"]]
    if kind == "colour":
        return w["plainly"] if c["polarity"] == "neutral" else w["moment"][c["polarity"]]
    if kind == "competitor_mention":
        return w["competitor"].format(key=key)
    if kind in ("objection_raised", "objection_reopened"):
        return w["objection"].get(key) or w["concern"].format(key=key)
    if kind.startswith("objection_"):
        return w["answered"].format(topic=w["answer"].get(key, key))
    if kind == "introduce_stakeholder":
        return w["intro"].format(first=name.split()[0])
    return w["plain"].get(kind) or w["other"].format(kind=kind.replace("_", " "))


def write(outline: dict) -> dict:
    """A correct answer for the outline: each turn its carries' sentences, filled to the length."""
    turns = outline["turns"]
    w = words(outline)
    per_turn = max(1, outline["words"] // max(1, len(turns)))
    doc = {}
    for t in turns:
        parts, carries = [], []
        for c in t["carries"]:
            s = sentence(c, t["name"], w)
            if s not in parts:
                parts.append(s)
            carries.append({"id": c["id"], "quote": s})
        while len(" ".join(parts).split()) + 6 < per_turn:
            parts.append(w["filler"])
        doc[f"t{t['turn']}"] = {"speaker": t["speaker"], "text": " ".join(parts) or w["filler"], "carries": carries}
    return doc


def damage(doc: dict, outline: dict, mode: str, recital: str) -> str | None:
    """Break a correct answer as `mode` says; the answer text, or None for an HTTP failure mode."""
    turns = outline["turns"]
    w = words(outline)
    moment = w["moment"]
    if mode == "wrong_speaker":
        ids = sorted({t["speaker"] for t in turns} | {"someone_else"})
        t0 = doc[f"t{turns[-1]['turn']}"]
        t0["speaker"] = next(x for x in ids if x != t0["speaker"])
    elif mode == "missing_beat":
        for t in turns:
            beats = [c for c in t["carries"] if c["kind"] != "moment"]
            if beats:
                d = doc[f"t{t['turn']}"]
                gone = beats[0]["id"]
                s = next(c["quote"] for c in d["carries"] if c["id"] == gone)
                d["carries"] = [c for c in d["carries"] if c["id"] != gone]
                d["text"] = d["text"].replace(s, w["filler"], 1)
                break
    elif mode == "wrong_polarity":
        for t in turns:
            m = next((c for c in t["carries"] if c["kind"] == "moment"), None)
            if m:
                d = doc[f"t{t['turn']}"]
                other = "negative" if m["polarity"] == "positive" else "positive"
                d["text"] = d["text"].replace(moment[m["polarity"]], moment[other])
                for c in d["carries"]:
                    if c["quote"] == moment[m["polarity"]]:
                        c["quote"] = moment[other]
                break
    elif mode == "recite":
        d = doc[f"t{turns[len(turns) // 2]['turn']}"]
        d["text"] += " " + recital
    elif mode == "personal_data":
        d = doc[f"t{turns[0]['turn']}"]
        d["text"] += " Reach me at jane.doe@gmail.com or 312-867-5309."
    elif mode == "too_short":
        for t in turns:
            d = doc[f"t{t['turn']}"]
            d["text"] = " ".join(c["quote"] for c in d["carries"]) or "Okay."
    elif mode == "invalid_json":
        return '{"t0": {"speaker": "x", "text": "unterminated'
    elif mode == "length":
        return json.dumps(doc)[:200]
    return json.dumps(doc, ensure_ascii=False)


class Stub:
    def __init__(self, delay: float = 0.0, memo: bool = False) -> None:
        self.memo: dict[str, str] | None = {} if memo else None  # the benchmark's instant stub: one answer per outline
        self.script: dict[str, list[str]] = {}
        self.default = "ok"
        self.recital = ""
        self.judge = "ok"  # ok | flag
        self.headers: dict[str, str] = {}  # added to the next successful answer only (rate-limit headers)
        self.delay = delay
        self.requests: list[dict] = []  # every request body received, with `_status`
        self.keep = True  # keep them (the benchmark's 10,000 calls need not)
        self.auth: set[str] = set()
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None
        # the Batch API: uploaded files, batches; `hold` keeps batches in progress, `stall_create`
        # (an Event) holds the answer to a batch's creation until it is set (the batch exists by then)
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict] = {}
        self.hold = False
        self.stall_create: threading.Event | None = None
        self.batch_calls: list[str] = []  # "POST /v1/files", "GET /v1/batches/batch_1", ...

    @property
    def url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def count(self, status: int | None = None) -> int:
        return sum(1 for r in self.requests if status is None or r["_status"] == status)

    def _mode(self, call: str) -> str:
        with self.lock:
            todo = self.script.get(call)
            return todo.pop(0) if todo else self.default

    def answer(self, body: dict, auth: str = "") -> tuple[int, dict, dict]:
        """(status, headers, JSON body) for one chat-completions request."""
        msgs = body.get("messages") or []
        text = msgs[0]["content"] if msgs else ""
        if text.startswith("You check labels"):
            ids = re.findall(r"^- id (\S+):", text, re.M)
            verdicts = [{"id": i, "ok": self.judge == "ok", "why": "stub"} for i in ids]
            return 200, {}, _completion(json.dumps({"verdicts": verdicts}), "stop", body)
        user = next(m["content"] for m in msgs if m["role"] == "user")
        outline = json.loads(re.search(r"<outline>(.*?)</outline>", user, re.S).group(1))
        mode = self._mode(outline["call"])
        if mode == "http429":
            return 429, {"Retry-After": "1"}, {"error": {"message": "slow down", "type": "rate_limit_exceeded"}}
        if mode == "http401":  # as OpenAI does: the refused key, quoted back
            return 401, {}, {"error": {"message": f"Incorrect API key provided: {auth.removeprefix('Bearer ')}",
                                       "type": "invalid_request_error", "code": "invalid_api_key"}}
        if mode == "http500":
            return 500, {}, {"error": {"message": "internal error", "type": "server_error"}}
        if self.memo is not None and mode == "ok":
            k = json.dumps(outline["turns"]) + str(outline["words"]) + outline.get("locale", "")
            content = self.memo.get(k)
            if content is None:
                content = self.memo[k] = damage(write(outline), outline, mode, self.recital)
        else:
            content = damage(write(outline), outline, mode, self.recital)
        finish = {"length": "length", "content_filter": "content_filter"}.get(mode, "stop")
        with self.lock:
            headers, self.headers = self.headers, {}
        return 200, headers, _completion(content, finish, body)

    # ---- the Batch API ------------------------------------------------------------

    def _file(self, data: bytes, purpose: str, name: str) -> dict:
        with self.lock:
            fid = f"file-{len(self.files) + 1}"
            self.files[fid] = data
        return {"id": fid, "object": "file", "bytes": len(data), "created_at": 0, "filename": name,
                "purpose": purpose, "status": "processed"}

    def upload(self, content_type: str, raw: bytes) -> tuple[int, dict]:
        """POST /v1/files: multipart/form-data with `purpose` and `file` (parsed with the email package)."""
        from email.parser import BytesParser
        from email.policy import HTTP
        msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
        parts = {p.get_param("name", header="content-disposition"): p for p in msg.iter_parts()}
        if "file" not in parts or parts.get("purpose") is None:
            return 400, {"error": {"message": "file and purpose are required"}}
        purpose = parts["purpose"].get_payload(decode=True).decode()
        return 200, self._file(parts["file"].get_payload(decode=True), purpose,
                               parts["file"].get_filename() or "upload.jsonl")

    def create_batch(self, body: dict) -> tuple[int, dict]:
        if body.get("input_file_id") not in self.files or body.get("endpoint") != "/v1/chat/completions" \
                or body.get("completion_window") != "24h":
            return 400, {"error": {"message": "bad batch request"}}
        lines = [json.loads(x) for x in self.files[body["input_file_id"]].splitlines() if x.strip()]
        if len({x["custom_id"] for x in lines}) != len(lines) or any(x["url"] != body["endpoint"] for x in lines):
            return 400, {"error": {"message": "custom_id must be unique, url the batch's endpoint"}}
        with self.lock:
            bid = f"batch_{len(self.batches) + 1}"
            self.batches[bid] = {"id": bid, "object": "batch", "endpoint": body["endpoint"], "errors": None,
                                 "input_file_id": body["input_file_id"], "completion_window": "24h",
                                 "status": "in_progress", "created_at": 0, "metadata": body.get("metadata"),
                                 "request_counts": {"total": len(lines), "completed": 0, "failed": 0}}
        if self.stall_create is not None:
            self.stall_create.wait(60)
        return 200, self.batches[bid]

    def retrieve_batch(self, bid: str) -> tuple[int, dict]:
        """A batch finishes when it is first polled after `hold` is off: each line answered as online."""
        b = self.batches.get(bid)
        if b is None:
            return 404, {"error": {"message": "no such batch"}}
        with self.lock:
            run = b["status"] == "in_progress" and not self.hold
            if run:
                b["status"] = "finalizing"
        if run:
            out, err = [], []
            for line in self.files[b["input_file_id"]].splitlines():
                req = json.loads(line)
                status, _, doc = self.answer(req["body"])
                with self.lock:
                    self.requests.append({**req["body"], "_status": status, "_t": time.monotonic(), "_batch": bid})
                row = {"id": f"batch_req_{len(out) + len(err)}", "custom_id": req["custom_id"],
                       "response": {"status_code": status, "request_id": "req", "body": doc}, "error": None}
                (out if status == 200 else err).append(json.dumps(row))
            for name, rows in (("output_file_id", out), ("error_file_id", err)):
                if rows:
                    b[name] = self._file(("\n".join(rows) + "\n").encode(), "batch_output", "out.jsonl")["id"]
            b["request_counts"] = {"total": len(out) + len(err), "completed": len(out), "failed": len(err)}
            b["status"] = "completed"
        return 200, b

    def start(self) -> "Stub":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def reply(self, status: int, doc: dict | bytes, headers: dict | None = None) -> None:
                data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/octet-stream" if isinstance(doc, bytes)
                                 else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                with stub.lock:
                    stub.auth.add(self.headers.get("Authorization", ""))
                    stub.batch_calls.append(f"GET {self.path}")
                path = self.path.split("?")[0]
                if path == "/v1/batches":
                    data = list(stub.batches.values())
                    self.reply(200, {"object": "list", "data": data, "has_more": False,
                                     "first_id": data[0]["id"] if data else None,
                                     "last_id": data[-1]["id"] if data else None})
                elif path.startswith("/v1/batches/"):
                    self.reply(*stub.retrieve_batch(path.rsplit("/", 1)[1]))
                elif path.startswith("/v1/files/") and path.endswith("/content") and \
                        path.split("/")[3] in stub.files:
                    self.reply(200, stub.files[path.split("/")[3]])
                else:
                    self.reply(404, {"error": {"message": "not found"}})

            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with stub.lock:
                    stub.auth.add(self.headers.get("Authorization", ""))
                if self.path in ("/v1/files", "/v1/batches"):
                    with stub.lock:
                        stub.batch_calls.append(f"POST {self.path}")
                    if self.path == "/v1/files":
                        self.reply(*stub.upload(self.headers.get("Content-Type", ""), raw))
                    else:
                        self.reply(*stub.create_batch(json.loads(raw)))
                    return
                body = json.loads(raw)
                if self.path != "/v1/chat/completions":
                    status, headers, doc = 404, {}, {"error": {"message": "not found"}}
                else:
                    status, headers, doc = stub.answer(body, self.headers.get("Authorization", ""))
                if stub.keep:
                    with stub.lock:
                        stub.requests.append({**body, "_status": status, "_t": time.monotonic()})
                if stub.delay:
                    time.sleep(stub.delay)
                data = json.dumps(doc).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # 64 connections at once are not refused

        self.httpd = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()


def _completion(content: str, finish: str, body: dict) -> dict:
    # about four characters a token, the messages and the schema (servers count both)
    prompt = (sum(len(m.get("content") or "") for m in body.get("messages") or [])
              + len(json.dumps(body.get("response_format") or ""))) // 4
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": body.get("model", "stub"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": len(content) // 4,
                      "total_tokens": prompt + len(content) // 4, "prompt_tokens_details": {"cached_tokens": 0}}}
