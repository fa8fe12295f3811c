"""Secrets never leave the process: every string corpusc prints, writes to the
report or stores in the journal goes through one Redactor, built from the
bearer token, secret header values and the credentials in the URL (userinfo,
query values, path segments declared secret)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

MASK = "***"
SENSITIVE_HEADER_WORDS = ("auth", "token", "key", "secret", "password", "cookie", "signature", "session")


def sensitive_header(name: str) -> bool:
    low = name.lower()
    return any(w in low for w in SENSITIVE_HEADER_WORDS)


def secret_segment_indexes(path: str, declared: tuple[str, ...]) -> set[int]:
    """Indexes (0-based) of the path segments declared secret: a declaration is
    a 1-based position (negative counts from the end) or the segment itself."""
    segs = [s for s in path.split("/") if s]
    out: set[int] = set()
    for d in declared:
        try:
            i = int(d)
        except ValueError:
            out.update(k for k, s in enumerate(segs) if unquote(s) == d or s == d)
            continue
        if 1 <= i <= len(segs):
            out.add(i - 1)
        elif -len(segs) <= i <= -1:
            out.add(len(segs) + i)
    return out


@dataclass(frozen=True)
class Redactor:
    secrets: tuple[str, ...] = ()
    url_display: str = ""
    urls: tuple[str, ...] = ()  # the raw URL's spellings, shown as url_display whole

    def text(self, s: object) -> str:
        out = str(s)
        for u in self.urls:
            out = out.replace(u, self.url_display)
        for sec in self.secrets:
            out = out.replace(sec, MASK)
        return out


def redactor_for(url: str, *, token: str | None = None, header_values: tuple[str, ...] = (),
                 secret_segments: tuple[str, ...] = ()) -> Redactor:
    """Collect every secret string (raw and percent-encoded forms) and the URL
    as it may be shown: `https://***@host/a/***?key=***`. Secrets shorter than
    3 characters are masked in the URL but not replaced in free text (that
    would shred every message); the whole URL is always replaced."""
    secrets: set[str] = set()

    def add(v: str | None) -> None:
        if v and len(v) >= 3:
            secrets.update({v, quote(v, safe=""), quote(v)})

    add(token)
    for v in header_values:
        add(v)
    display = url
    if url:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        if parts.username or parts.password:
            add(unquote(parts.username or ""))
            add(unquote(parts.password or ""))
            pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
            add(pair)
            add(base64.b64encode(pair.encode()).decode())  # as sent in `Authorization: Basic`
            host = f"{MASK}@{host}"
        segs = parts.path.split("/")
        hidden = secret_segment_indexes(parts.path, secret_segments)
        k = -1
        for j, s in enumerate(segs):
            if s:
                k += 1
                if k in hidden:
                    add(unquote(s))
                    add(s)
                    segs[j] = MASK
        query = ""
        if parts.query:
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            for _, v in pairs:
                add(v)
            query = "&".join(f"{k}={MASK}" for k, _ in pairs) or MASK
            if not pairs:
                add(parts.query)
        display = urlunsplit((parts.scheme, host, "/".join(segs), query, ""))
    # longest first, so a secret containing another is masked whole
    urls = {url, urlunsplit(urlsplit(url)._replace(netloc=urlsplit(url).netloc.rsplit("@", 1)[-1]))} if url else set()
    return Redactor(tuple(sorted(secrets, key=len, reverse=True)), display,
                    tuple(sorted((u for u in urls if u != display), key=len, reverse=True)))
