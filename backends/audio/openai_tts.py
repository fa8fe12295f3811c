"""OpenAI text-to-speech through the openai SDK (`audio.speech.create`, raw
24 kHz PCM). Requests run a few at a time per worker, are retried with
exponential backoff on 429 and 5xx (honoring Retry-After), and land in a
content-addressed cache so a rebuild asks for nothing twice. The key is read
from OPENAI_API_KEY and never written: not to outputs, the cache, the manifest
or any message."""

from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from corpusc.plan.atomic import write_output

from corpusc.backends.audio.errors import AudioError

SAMPLE_RATE = 24000  # response_format "pcm": 16-bit little-endian mono at 24 kHz
DEFAULT_MODEL = "gpt-4o-mini-tts"
CONCURRENCY = 4  # per worker process; CORPUSC_TTS_CONCURRENCY overrides
MAX_ATTEMPTS = 6
MAX_WAIT = 60.0
CACHE_VERSION = 1


@dataclass(frozen=True)
class Request:
    voice: str
    text: str
    instructions: str = ""
    speed: float = 1.0


def supports_instructions(model: str) -> bool:
    """tts-1 and tts-1-hd ignore speaking instructions; the gpt-4o TTS models take them."""
    return not model.startswith("tts-1")


def cache_key(model: str, r: Request) -> str:
    doc = {"v": CACHE_VERSION, "model": model, "voice": r.voice, "input": r.text, "format": "pcm",
           "instructions": r.instructions if supports_instructions(model) else "", "speed": r.speed}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Client:
    def __init__(self, model: str, cache_dir: Path | None) -> None:
        self.model = model or DEFAULT_MODEL
        self.cache_dir = cache_dir
        self.requests = 0  # made by this process (tests read it)
        self._client = None
        self._key = ""

    def _sdk(self):
        if self._client is None:
            key = os.environ.get("OPENAI_API_KEY", "").strip()
            if not key:
                raise AudioError("E0712", "`engine openai` needs an API key in the OPENAI_API_KEY environment "
                                 "variable, and it is not set",
                                 help="export OPENAI_API_KEY=... (it is read from the environment only and never "
                                      "written anywhere), or use the offline `engine espeak`")
            import openai
            self._key = key
            self._client = openai.OpenAI(api_key=key, max_retries=0, timeout=120.0)
        return self._client

    def _path(self, key: str) -> Path | None:
        return self.cache_dir / key[:2] / f"{key}.pcm" if self.cache_dir else None

    def speak_all(self, reqs: list[Request]) -> list[bytes]:
        """PCM per request, in order; cached ones are read, the rest fetched concurrently."""
        out: list[bytes | None] = [None] * len(reqs)
        todo = []
        for i, r in enumerate(reqs):
            p = self._path(cache_key(self.model, r))
            if p is not None and p.is_file():
                out[i] = p.read_bytes()
            else:
                todo.append(i)
        if todo:
            self._sdk()
            n = max(1, int(os.environ.get("CORPUSC_TTS_CONCURRENCY", CONCURRENCY)))
            with ThreadPoolExecutor(max_workers=min(n, len(todo))) as pool:
                for i, data in zip(todo, pool.map(lambda i: self._fetch(reqs[i]), todo)):
                    out[i] = data
        return out  # type: ignore[return-value]

    def _fetch(self, r: Request) -> bytes:
        import openai
        client = self._sdk()
        kw = {"model": self.model, "voice": r.voice, "input": r.text, "response_format": "pcm"}
        if r.instructions and supports_instructions(self.model):
            kw["instructions"] = r.instructions
        if r.speed != 1.0:
            kw["speed"] = max(0.25, min(4.0, r.speed))
        delay = 0.5
        for attempt in range(MAX_ATTEMPTS):
            try:
                self.requests += 1
                data = client.audio.speech.create(**kw).read()
                break
            except openai.APIStatusError as e:
                if e.status_code != 429 and e.status_code < 500 or attempt == MAX_ATTEMPTS - 1:
                    raise self._failed(f"HTTP {e.status_code}", e)
                wait = _retry_after(e.response) or delay
            except (openai.APIConnectionError, openai.APITimeoutError) as e:
                if attempt == MAX_ATTEMPTS - 1:
                    raise self._failed("no connection", e)
                wait = delay
            time.sleep(min(wait, MAX_WAIT))
            delay *= 2
        p = self._path(cache_key(self.model, r))
        if p is not None:
            write_output(p, data)
        return data

    def _failed(self, what: str, e: Exception) -> AudioError:
        msg = str(getattr(e, "message", "") or e)
        if self._key:
            msg = msg.replace(self._key, "***")
        base = os.environ.get("OPENAI_BASE_URL") or "the OpenAI API"
        hint = ("check that OPENAI_API_KEY is valid and has access to the model" if "401" in what or "403" in what
                else "retry later; a rebuild only requests what is not cached yet")
        return AudioError("E0713", f"text-to-speech request to {base} failed ({what}): {msg[:200]}", help=hint)


def _retry_after(resp) -> float | None:
    h = getattr(resp, "headers", None) or {}
    ms = h.get("retry-after-ms")
    try:
        if ms is not None:
            return max(0.0, float(ms) / 1000)
        v = h.get("retry-after")
        if v is not None:
            return max(0.0, float(v))
    except ValueError:
        from email.utils import parsedate_to_datetime
        try:
            return max(0.0, parsedate_to_datetime(h.get("retry-after")).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
    return None
