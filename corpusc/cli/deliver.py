"""`corpusc deliver vcp|sa DIR`: send a built corpus's payloads, each once,
with a journal that survives a kill. Imports only click at module level so
`corpusc check` stays fast; httpx and friends load inside the commands."""

from __future__ import annotations

import functools
import os
import re
import sys
import time
from pathlib import Path

import click

from corpusc.cli.common import EXIT_ERRORS, EXIT_OK, internal_errors, progress_bar
from corpusc.deliver.errors import DeliveryError

SHOWN_FAILURES = 20
SHOWN_INVALID = 5  # a dry run's rejected payloads shown in full; the rest are counted
FAILURE_HELP = {
    "E0807": "the receiver refused it; fix the cause, then rerun with --only-failed",
    "E0808": "rerun the same command later: only unconfirmed payloads are sent",
    "E0805": "rebuild the corpus, then rerun: only unconfirmed payloads are sent",
}
RESERVED_HEADERS = {"content-type", "content-length", "host", "idempotency-key", "transfer-encoding"}
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


def _diag(code: str, message: str, where: str, help: str = "", notes: tuple[str, ...] = ()) -> str:
    from corpusc.diagnostics.model import Sink, Span
    from corpusc.diagnostics.report import render_text
    sink = Sink()
    sink.add(code, message, Span.point(where), help=help, notes=notes)
    return render_text(sink.items, {}, color=sys.stderr.isatty() and not os.environ.get("NO_COLOR"))


def _guard(fn):
    """DeliveryError -> its diagnostic and exit 1; anything else goes to the
    CLI's last line of defence (E0901, never a traceback)."""
    @functools.wraps(fn)
    def wrapper(*a, **kw):

        @internal_errors
        def run():
            try:
                return fn(*a, **kw)
            except DeliveryError as e:
                click.echo(_diag(e.code, e.message, e.where, e.help), err=True, nl=False)
                sys.exit(EXIT_ERRORS)
        return run()
    return wrapper


def parse_headers(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in values:
        m = re.match(r"^\s*([^:=\s]+)\s*[:=]\s?(.*)$", raw)
        if not m or not _TOKEN.match(m.group(1)):
            shown = raw.split(":", 1)[0].split("=", 1)[0][:40]
            raise DeliveryError("E0804", f"--header `{shown}...` is not `Name: value`", "--header",
                                help="write it as --header 'X-Source: corpusc'")
        name, value = m.group(1), m.group(2).strip()
        if name.lower() in RESERVED_HEADERS:
            raise DeliveryError("E0804", f"--header `{name}` is set by corpusc and cannot be overridden", "--header",
                                help="drop it; Idempotency-Key and Content-Type are computed per payload")
        if "\r" in value or "\n" in value:
            raise DeliveryError("E0804", f"--header `{name}` has a line break in its value", "--header")
        out[name] = value
    return out


def check_url(url: str | None, flag: str, dry_run: bool) -> str:
    from urllib.parse import urlsplit
    if not url:
        if dry_run:
            return ""
        raise DeliveryError("E0803", f"no URL to deliver to: pass {flag}", flag,
                            help="e.g. --url https://example.org/webhook")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as e:
        raise DeliveryError("E0803", f"{flag} is not a valid URL ({e})", flag,
                            help="an absolute http:// or https:// URL, e.g. https://example.org/webhook")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError("E0803", f"{flag} must be an absolute http(s) URL with a host", flag,
                            help="an absolute http:// or https:// URL, e.g. https://example.org/webhook")
    if any(c.isspace() for c in url):
        raise DeliveryError("E0803", f"{flag} contains whitespace", flag)
    return url


def _without_userinfo(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[1], parts.path, parts.query, parts.fragment))


def _seconds(value: str | None, name: str) -> float:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        v = -1.0
    if not v > 0 or v != v or v == float("inf"):
        raise DeliveryError("E0809", f"{name} must be a positive number of seconds", name,
                            help=f"e.g. {name} 30 (from the flag or the environment)")
    return v


def _token(env_name: str | None) -> str | None:
    if not env_name:
        return None
    value = os.environ.get(env_name, "").strip()
    if not value:
        raise DeliveryError("E0809", f"--token-env names `{env_name}`, which is unset or empty", "--token-env",
                            help=f"export {env_name}=... before running, or drop --token-env")
    return value


def common(fn):
    opts = [
        click.option("--rps", type=click.FloatRange(min=0), default=10.0, show_default=True,
                     help="Requests per second across all connections (token bucket); 0 = no limit."),
        click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True,
                     help="Requests in flight at most."),
        click.option("--retries", type=click.IntRange(min=0), default=5, show_default=True,
                     help="Retries per payload on 5xx, 408, 429, timeouts and connection errors."),
        click.option("--header", "headers", multiple=True, metavar="NAME:VALUE",
                     help="Extra request header (repeatable). Values of auth-like headers are never printed."),
        click.option("--token-env", metavar="NAME", help="Send `Authorization: Bearer $NAME`."),
        click.option("--secret-path-segment", "secret_segments", multiple=True, metavar="N|TEXT",
                     help="Hide a URL path segment in all output: its 1-based position (-1 = last) or its text."),
        click.option("--dry-run", is_flag=True,
                     help="Check every payload as its receiver would (specs/); report what it would reject; "
                          "send nothing."),
        click.option("--only-failed", is_flag=True, help="Send only the payloads the journal records as failed."),
        click.option("--restart", is_flag=True, help="Ignore the journal: send every payload again."),
        click.option("--backoff-base", type=click.FloatRange(min=0), default=0.5, show_default=True,
                     help="Retry wait: random in [0, base * 2^attempt] seconds."),
        click.option("--backoff-max", type=click.FloatRange(min=0), default=30.0, show_default=True,
                     help="Cap of one retry wait, seconds."),
    ]
    for o in reversed(opts):
        fn = o(fn)
    return fn


@click.group()
def deliver() -> None:
    """Send a built corpus: VCP webhooks or the SA speech-analytics upload.

    A journal in DIR/.corpusc/ records each confirmed payload, so rerunning the
    same command after a crash or a kill sends only what is unconfirmed.
    Exit 0 only when every payload is confirmed.
    """


@deliver.command("vcp")
@click.argument("directory", type=click.Path())
@click.option("--url", help="Webhook URL (credentials in it are never printed).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds per request (connect and read).")
@common
@_guard
def vcp_cmd(directory, url, timeout, **kw):
    """POST each vcp/<call>.json of DIRECTORY as application/json."""
    _run("vcp", Path(directory), url, "--url", timeout, timeout, None, **kw)


@deliver.command("sa")
@click.argument("directory", type=click.Path())
@click.option("--url", envvar="SA_URL", help="Upload URL [env SA_URL].")
@click.option("--project-id", envvar="SA_PROJECT_ID", help="SA project [env SA_PROJECT_ID]; the index name when "
              "the build set none.")
@click.option("--pipeline-id", envvar="SA_PIPELINE_ID", help="SA pipeline [env SA_PIPELINE_ID].")
@click.option("--storage-backend-id", envvar="SA_STORAGE_BACKEND_ID",
              help="SA storage backend [env SA_STORAGE_BACKEND_ID].")
@click.option("--index-name", help="Override the index name of `emit sa { index_name }`.")
@click.option("--connect-timeout", envvar="SA_CONNECT_TIMEOUT", default="10", show_default=True,
              help="Connect timeout, seconds [env SA_CONNECT_TIMEOUT].")
@click.option("--read-timeout", envvar="SA_READ_TIMEOUT", default="300", show_default=True,
              help="Read timeout, seconds [env SA_READ_TIMEOUT].")
@common
@_guard
def sa_cmd(directory, url, project_id, pipeline_id, storage_backend_id, index_name, connect_timeout,
           read_timeout, **kw):
    """Upload each call of DIRECTORY as multipart: the data JSON, its .wav.json and .wav."""
    from corpusc.deliver.sa_form import SaTarget
    connect = _seconds(connect_timeout, "--connect-timeout")
    read = _seconds(read_timeout, "--read-timeout")
    if not kw["dry_run"]:
        for value, flag, env in ((project_id, "--project-id", "SA_PROJECT_ID"),
                                 (pipeline_id, "--pipeline-id", "SA_PIPELINE_ID"),
                                 (storage_backend_id, "--storage-backend-id", "SA_STORAGE_BACKEND_ID")):
            if not value:
                raise DeliveryError("E0809", f"{flag} is required to upload to SA", flag,
                                    help=f"pass {flag} or set {env}")
    target = SaTarget(project_id=project_id or "", pipeline_id=pipeline_id or "",
                      storage_backend_id=storage_backend_id or "", index_name=index_name)
    _run("sa", Path(directory), url, "--url", connect, read, target, **kw)


def _run(kind, out: Path, url, url_flag, connect_timeout, read_timeout, target, *, rps, concurrency, retries,
         headers, token_env, secret_segments, dry_run, only_failed, restart, backoff_base, backoff_max) -> None:
    from corpusc.deliver.redact import redactor_for, sensitive_header
    from corpusc.deliver.sources import find_payloads
    if only_failed and restart:
        raise click.UsageError("--only-failed and --restart exclude each other")
    hdrs = parse_headers(headers)
    url = check_url(url, url_flag, dry_run)
    token = _token(token_env)
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    if "authorization" in {k.lower() for k in hdrs}:
        send_url = _without_userinfo(url)  # httpx would replace the header with Basic auth from the URL
    else:
        send_url = url
    secret_values = tuple(v for k, v in hdrs.items() if sensitive_header(k))
    red = redactor_for(url, token=token, header_values=secret_values, secret_segments=tuple(secret_segments))
    payloads = find_payloads(out, kind)
    from corpusc.deliver.journal import destination_id
    ids = (target.project_id, target.pipeline_id, target.storage_backend_id, target.index_name or "") if target else ()
    dest = destination_id(kind, url, *ids)
    if dry_run:
        _dry_run(kind, out, payloads, red, hdrs, target, dest)
        return
    _send(kind, out, payloads, red, hdrs, target, dest, send_url, connect_timeout, read_timeout, rps=rps,
          concurrency=concurrency, retries=retries, only_failed=only_failed, restart=restart,
          backoff_base=backoff_base, backoff_max=backoff_max)


def _prepare(kind, out, target):
    from corpusc.deliver import prepare
    if kind == "vcp":
        return lambda p: prepare.vcp(out, p)
    return lambda p: prepare.sa(out, p, target)


def _dry_run(kind, out, payloads, red, hdrs, target, dest) -> None:
    import json

    from corpusc.deliver.journal import read_statuses
    from corpusc.deliver.redact import MASK, sensitive_header
    from collections import Counter

    from corpusc.deliver.validate import field_of, rejections, validator
    prep = _prepare(kind, out, target)
    done = read_statuses(out, dest)
    shown = {k: (MASK if sensitive_header(k) else v) for k, v in hdrs.items()}
    click.echo(f"dry run: POST {red.url_display or '<no --url given>'}"
               + "".join(f"\n  {k}: {red.text(v)}" for k, v in shown.items()))
    if validator(kind) is None:
        click.echo(f"note: no JSON Schema for `{kind}` in this install; checked the payload wrapper only", err=True)
    bad = would = 0
    fields: Counter[str] = Counter()
    for p in payloads:
        try:
            item = prep(p)
            doc = json.loads((out / p.path).read_bytes())
        except DeliveryError as e:
            bad += 1
            fields["(unreadable)"] += 1
            if bad <= SHOWN_INVALID:
                click.echo(_diag(e.code, red.text(e.message), e.where, e.help), err=True, nl=False)
            continue
        errs = rejections(kind, out, doc)
        if errs:
            bad += 1
            fields.update({field_of(m) for m in errs})
            if bad <= SHOWN_INVALID:
                click.echo(_diag("E0806", f"`{p.path}` would be rejected by the {kind} receiver: {errs[0]}",
                                 str(out / p.path), notes=tuple(errs[1:])), err=True, nl=False)
            continue
        state = "skip (confirmed)" if done.get(item.key) == "delivered" else "send"
        would += state == "send"
        size = _size(item)
        click.echo(f"{state}  {p.call_id}  {p.path}  {size} bytes  Idempotency-Key: {item.key}")
    if bad > SHOWN_INVALID:
        click.echo(f"... and {bad - SHOWN_INVALID} more payloads that would be rejected", err=True)
    if bad:
        click.echo(f"would be rejected: {bad} of {len(payloads)}, at "
                   + ", ".join(f"{f} ({n})" for f, n in sorted(fields.items(), key=lambda t: (-t[1], t[0]))), err=True)
    click.echo(f"dry run: {len(payloads)} {kind} payloads, {len(payloads) - bad} valid, {bad} invalid; "
               f"{would} would be sent, nothing was sent")
    sys.exit(EXIT_ERRORS if bad else EXIT_OK)


def _size(item) -> int:
    args = item.build()
    if "content" in args:
        return len(args["content"])
    return sum(len(v.encode()) for v in args["data"].values()) + sum(len(f[1]) for f in args["files"].values())


def _send(kind, out, payloads, red, hdrs, target, dest, url, connect_timeout, read_timeout, *, rps, concurrency,
          retries, only_failed, restart, backoff_base, backoff_max) -> None:
    import asyncio

    from corpusc.deliver import report
    from corpusc.deliver.journal import Journal
    from corpusc.deliver.send import Settings, deliver as run_delivery
    from corpusc.deliver.sa_form import OK_STATUS
    settings = Settings(url=url, rps=rps, concurrency=concurrency, retries=retries,
                        connect_timeout=connect_timeout, read_timeout=read_timeout, headers=hdrs,
                        backoff_base=backoff_base, backoff_max=backoff_max,
                        **({"ok_status": OK_STATUS} if kind == "sa" else {}))
    started_at = time.time()
    journal = Journal(out, dest, kind, red.url_display)
    warnings: list[str] = []
    try:
        if restart:
            journal.forget()
        statuses = journal.statuses()
        prep = _prepare(kind, out, target)
        already = 0
        not_attempted = 0
        todo = []
        # the journal is keyed by content: a payload is skipped only if these
        # exact bytes were confirmed, so it is read (and hashed) before deciding
        # (the bodies are not kept: they are read again when their turn comes)
        for p in payloads:
            try:
                item = prep(p)
            except DeliveryError:
                todo.append(p)  # reported as a failure when its turn comes
                continue
            if p.recorded and item.sha256 != p.recorded:
                warnings.append(red.text(f"{p.path}: changed since the build (sha256 differs from manifest.json)"))
            st = statuses.get(item.key)
            if st == "delivered":
                already += 1
            elif only_failed and st != "failed":
                not_attempted += 1
            else:
                todo.append(p)
        del statuses
        journal.start()

        def items():
            for p in todo:
                yield p.call_id, (lambda p=p: prep(p))

        with progress_bar(len(todo), "delivering") as advance:
            stats = asyncio.run(run_delivery(items(), settings, journal, red, advance))
    finally:
        journal.close()
    settings_doc = {"rps": rps, "concurrency": concurrency, "retries": retries, "connect_timeout": connect_timeout,
                    "read_timeout": read_timeout, "only_failed": only_failed, "restart": restart,
                    "headers": sorted(hdrs)}
    doc = report.build(kind=kind, url=red.url_display, settings=settings_doc, stats=stats, total=len(payloads),
                       already=already, not_attempted=not_attempted, warnings=warnings, started_at=started_at)
    path = report.write(out, doc)
    for w in warnings[:SHOWN_FAILURES]:
        click.echo(_diag("E0811", w, str(out / "manifest.json")), err=True, nl=False)
    paths = {p.call_id: p.path for p in payloads} if stats.failures else {}
    for f in stats.failures[:SHOWN_FAILURES]:
        click.echo(_diag(f.code, f"{f.call_id}: {f.reason}", str(out / paths.get(f.call_id, f.call_id)),
                         help=FAILURE_HELP.get(f.code, "")), err=True, nl=False)
    if len(stats.failures) > SHOWN_FAILURES:
        click.echo(f"... and {len(stats.failures) - SHOWN_FAILURES} more failures (see {path})", err=True)
    click.echo(report.summary(doc))
    if not_attempted:
        click.echo(f"note: {not_attempted} payloads were never attempted; rerun without --only-failed to send them",
                   err=True)
    click.echo(f"report: {path}")
    sys.exit(EXIT_OK if doc["complete"] else EXIT_ERRORS)
