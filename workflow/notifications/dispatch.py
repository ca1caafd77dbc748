"""The dispatcher: sends what the outbox holds, over SMTP, after the transactions that queued it.

`send_due(now)` works in batches. Each batch is first *claimed* in a short transaction of its
own: the due rows are marked `sending` under the dispatcher's token (on PostgreSQL the rows are
picked with `FOR UPDATE SKIP LOCKED`, so two dispatchers never take the same row; on SQLite the
single writer and the conditional `WHERE state = 'pending'` do the same). The batch then goes out
over `smtp_connections` SMTP connections at once (each message over one of them, in threads
that never touch the database; the connections stay open from one batch to the next, and the
next batch is claimed while one is being sent) and its outcome is committed:

- accepted → `sent`, with the time and the Message-ID;
- refused for good (5xx) → `failed` at once; the rest of the batch goes on;
- refused for now (4xx) → tried again after base·2^(tries-1) seconds (capped); after
  `mail_max_attempts` refusals → `failed`;
- server unreachable, TLS or login refused, connection lost → the message waits with the same
  back-off but never fails: an outage of any length loses nothing, and everything goes out once
  the server is back (within `mail_retry_max_seconds`).

Nothing is deleted. A dispatcher that dies in the middle of a batch leaves rows in `sending`;
they are put back after `stale_claim_after()` (at-least-once at that one edge: the server may
have taken a message whose outcome was never recorded).

Back-off times follow the `now` given (the scheduler's as-of time, so simulated runs behave like
real ones); `sent_at`, `failed_at` and claims record the real clock.
"""

from __future__ import annotations

import base64
import binascii
import email.policy
import functools
import logging
import os
import smtplib
import socket
import ssl
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from email.header import Header
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import encode_rfc2231, format_datetime, formataddr, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import Select, String, cast, func, literal, select, update

from workflow.accounts.models import Person
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.notifications.ics import method_of
from workflow.notifications.models import Notification, State

log = logging.getLogger(__name__)


SENT, REFUSED, UNAVAILABLE = "sent", "refused", "unavailable"


class ServerUnavailable(Exception):
    """The SMTP server cannot be reached or used: no message is at fault."""


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0  # refused for now, will be tried again
    waiting: int = 0  # the server was unavailable, will be tried again
    failed: int = 0
    released: int = 0  # stale claims of a dispatcher that died, put back
    batches: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def backoff(tries: int, settings: dict[str, Any]) -> timedelta:
    """Delay before the next try after `tries` tries: base·2^(tries-1), at most the cap."""
    base, cap = settings["mail_retry_base_seconds"], settings["mail_retry_max_seconds"]
    return timedelta(seconds=min(cap, base * 2 ** min(max(tries - 1, 0), 32)))


def stale_claim_after(settings: dict[str, Any]) -> timedelta:
    # Longer than a batch can take even if every message runs into the SMTP timeout.
    return timedelta(seconds=max(900, 2 * settings["mail_batch_size"] * settings["smtp_timeout_seconds"]))


def release_stale_claims(settings: dict[str, Any]) -> int:
    cutoff = utcnow() - stale_claim_after(settings)
    result = db.session.execute(
        update(Notification)
        .where(Notification.state == State.SENDING, Notification.claimed_at < cutoff)
        .values(state=State.PENDING, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        log.warning("put back %s messages claimed by a dispatcher that stopped mid-batch", result.rowcount)
    db.session.commit()
    return result.rowcount


def claim_parts(now: datetime, size: int) -> list[Select[Any]]:
    """What a claim reads, in its order: the never tried by id, then the due retries by when they
    fell due — each read off `ix_notification_pending` without sorting the pending messages."""
    pending = Notification.state == State.PENDING
    # Both in the index's own order: for the never tried that is by id, but PostgreSQL only knows
    # it so when told the whole key (with `ORDER BY id` it sorts them all).
    order = (Notification.next_attempt_at, Notification.id)
    return [
        select(Notification.id).where(pending, Notification.next_attempt_at.is_(None)).order_by(*order).limit(size),
        select(Notification.id).where(pending, Notification.next_attempt_at <= now).order_by(*order).limit(size),
    ]


def _claim_part(part: Select[Any], size: int, token: str, message_id: Any) -> int:
    """Claim up to `size` of `part` for `token`; how many the token holds now."""
    # A CTE, evaluated once: as `WHERE id IN (subquery … LIMIT n)`, PostgreSQL may run the
    # subquery again per row and claim more than n.
    due = part.limit(size).with_for_update(skip_locked=True).cte("due")
    db.session.execute(
        update(Notification)
        .where(Notification.id == due.c.id, Notification.state == State.PENDING)
        .values(state=State.SENDING, claimed_by=token, claimed_at=utcnow(), message_id=message_id)
        .execution_options(synchronize_session=False)
    )
    # Not the statement's rowcount: SQLite's driver gives -1 for an UPDATE that starts WITH.
    return db.session.scalar(select(func.count()).select_from(Notification).where(Notification.claimed_by == token)) or 0


def _claim(now: datetime, size: int, worker: str, settings: dict[str, Any]) -> str:
    """Mark up to `size` due messages as being sent by `worker` and commit; the claim's token.

    Never tried first, then the longest waiting: during an outage every message gets its turn
    instead of the oldest batch being tried over and over. Each part is read off
    `ix_notification_pending` in its own order (the never tried by id, the retries by when they
    fell due), so a claim never sorts every pending message. A message gets its Message-ID here,
    the first time it is claimed, and keeps it when tried again."""
    token = f"{worker}:{uuid.uuid4().hex[:8]}"[:64]
    domain = sender_address(settings).rpartition("@")[2] or "localhost"
    made = literal("<kpi.") + cast(Notification.id, String) + literal(f".{uuid.uuid4().hex[:12]}@{domain}>")
    message_id = func.coalesce(func.nullif(Notification.message_id, ""), made)
    taken = 0
    for part in claim_parts(now, size):
        if taken < size:
            taken = _claim_part(part, size - taken, token, message_id)
    db.session.commit()
    return token


def claim(now: datetime, size: int, worker: str) -> list[Notification]:
    """Claim as the dispatcher does (`_claim`), and return the messages claimed."""
    token = _claim(now, size, worker, current_app.config["KPI"])
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.claimed_by == token, Notification.state == State.SENDING)
            .order_by(Notification.id)
            .execution_options(populate_existing=True)
        )
    )


def _claimed(token: str) -> list[Outgoing]:
    """What the sending threads need of the messages claimed, as plain rows (no object per
    message: the dispatcher's own thread is the one that waits on the database)."""
    rows = db.session.execute(
        select(Notification.id, Notification.to_address, func.coalesce(Person.full_name, ""), Notification.subject, Notification.message_id,
               Notification.kind, Notification.locale, Notification.body_text, Notification.body_html, Notification.ics,
               Notification.ics_filename)
        .outerjoin(Person, Person.id == Notification.recipient_id)
        .where(Notification.claimed_by == token, Notification.state == State.SENDING)
        .order_by(Notification.id)
    )
    return [Outgoing(*row) for row in rows]


def sender_address(settings: dict[str, Any]) -> str:
    return _address_of(settings["mail_from"])


@functools.lru_cache(maxsize=8)
def _address_of(mail_from: str) -> str:
    return parseaddr(mail_from)[1]


@dataclass(frozen=True)
class Outgoing:
    """What a sending thread needs of one row: threads never touch the database session."""

    id: int
    to_address: str
    to_name: str
    subject: str
    message_id: str
    kind: str
    locale: str
    body_text: str
    body_html: str
    ics: str | None
    ics_filename: str | None


@dataclass(frozen=True)
class Delivery:
    """What happened to one message: sent, refused (with the server's code) or unavailable."""

    id: int
    status: str
    code: int = 0
    error: str = ""


class _HeaderClasses(HeaderRegistry):
    """The stdlib's header registry makes a new class for every header it parses; keeping them
    saves the dispatcher a fifth of its time per message."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


class _MailPolicy(email.policy.EmailPolicy):
    """Folds a non-ASCII subject with the stdlib's older encoder. The policy's own folder (3.11)
    drops the space where it splits the subject into two encoded words, so a Vietnamese subject
    long enough to fold read "ngàyđến" in every mail client; the older encoder keeps the space
    inside the encoded text."""

    def _fold(self, name: str, value: Any, refold_binary: bool = False) -> Any:
        if name.lower() == "subject" and not str(value).isascii():
            encoded = Header(str(value), "utf-8", header_name=name).encode(linesep=self.linesep)
            return f"{name}: {encoded}{self.linesep}"
        return super()._fold(name, value, refold_binary)


MAIL_POLICY = _MailPolicy().clone(header_factory=_HeaderClasses())


def build_message(out: Outgoing, settings: dict[str, Any]) -> EmailMessage:
    """The MIME message: text and HTML alternatives, and the .ics as a text/calendar part."""
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["Subject"] = out.subject
    msg["From"] = settings["mail_from"]
    msg["To"] = formataddr((out.to_name, out.to_address)) if out.to_name else out.to_address
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = out.message_id
    # RFC 3834: automated mail, so out-of-office robots do not answer it.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-KPI-Kind"] = out.kind
    msg["Content-Language"] = out.locale
    # 7-bit clean transfer encodings: no reliance on the relay supporting 8BITMIME. The HTML
    # part in base64: the stdlib encodes it in C, where quoted-printable is pure Python and
    # costs the dispatcher a third of its time.
    msg.set_content(out.body_text, cte="quoted-printable")
    msg.add_alternative(out.body_html, subtype="html", cte="base64")
    if out.ics:
        msg.add_attachment(
            out.ics, subtype="calendar", cte="base64", filename=out.ics_filename or "deadline.ics", params={"method": method_of(out.ics)}
        )
    return msg


_CRLF = "\r\n"


def _lines(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def encode_message(out: Outgoing, settings: dict[str, Any]) -> bytes:
    """The message of `build_message` written straight to bytes (CRLF line ends, 7-bit): the
    same parts, headers and encodings, without the stdlib's header objects, which cost ten times
    the rest at a thousand messages a second. Addresses that are not ASCII go through
    `build_message` (the server must then speak SMTPUTF8)."""
    for value in (out.to_address, out.to_name, out.subject, out.kind, out.locale, out.message_id, out.ics_filename or ""):
        if "\r" in value or "\n" in value:
            raise ValueError("a line break in a header")
    boundary = f"=_kpi_{uuid.uuid4().hex}"
    sender_name, sender = parseaddr(settings["mail_from"])
    to = formataddr((out.to_name, out.to_address), charset="utf-8") if out.to_name else out.to_address
    subject = out.subject
    if not subject.isascii() or len(subject) > 70:
        subject = Header(subject, "utf-8" if not subject.isascii() else "us-ascii", header_name="Subject").encode(linesep=_CRLF)
    head = [
        f"Subject: {subject}",
        f"From: {formataddr((sender_name, sender), charset='utf-8')}",
        f"To: {to}",
        f"Date: {format_datetime(utcnow())}",
        f"Message-ID: {out.message_id}",
        "Auto-Submitted: auto-generated",
        f"X-KPI-Kind: {out.kind}",
        f"Content-Language: {out.locale}",
        "MIME-Version: 1.0",
    ]
    text = binascii.b2a_qp(out.body_text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    html = base64.encodebytes(out.body_html.encode("utf-8"))
    alternative = (
        f"--{boundary}a\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".encode()
        + _lines(text).rstrip(b"\r\n") + b"\r\n"
        + f"--{boundary}a\r\nContent-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n".encode()
        + _lines(html) + f"--{boundary}a--\r\n".encode()
    )
    alternative_type = f'Content-Type: multipart/alternative; boundary="{boundary}a"'
    if not out.ics:
        return (_CRLF.join([*head, alternative_type]) + _CRLF + _CRLF).encode("ascii") + alternative
    filename = out.ics_filename or "deadline.ics"
    disposition = f'filename="{filename}"' if filename.isascii() and '"' not in filename else f"filename*={encode_rfc2231(filename, 'utf-8')}"
    calendar = (f'--{boundary}m\r\nContent-Type: text/calendar; charset="utf-8"; method="{method_of(out.ics)}"\r\n'
                f"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; {disposition}\r\n\r\n").encode("ascii")
    return ((_CRLF.join([*head, f'Content-Type: multipart/mixed; boundary="{boundary}m"']) + _CRLF + _CRLF).encode("ascii")
            + f"--{boundary}m\r\n{alternative_type}\r\n\r\n".encode("ascii") + alternative
            + calendar + _lines(base64.encodebytes(out.ics.encode("utf-8"))) + f"--{boundary}m--\r\n".encode("ascii"))


def connect(settings: dict[str, Any]) -> smtplib.SMTP:
    """One SMTP connection with the configured security and credentials."""
    host, port, timeout = settings["smtp_host"], settings["smtp_port"], settings["smtp_timeout_seconds"]
    security = settings["smtp_security"]
    context = ssl.create_default_context(cafile=settings["smtp_ca_file"] or None) if security != "none" else None
    try:
        if security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            conn = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if security == "starttls":
                conn.starttls(context=context)
            if settings["smtp_user"]:
                conn.login(settings["smtp_user"], settings["smtp_password"])
        except BaseException:
            conn.close()
            raise
    except (OSError, smtplib.SMTPException) as exc:
        raise ServerUnavailable(describe(exc)) from exc
    return conn


def describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]


def _refusal(exc: smtplib.SMTPException, address: str) -> tuple[int, str] | None:
    """(code, message) when the server refused this message; None when the connection failed."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = exc.recipients.get(address) or next(iter(exc.recipients.values()))
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return code, f"{code} {text}"
    if isinstance(exc, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return exc.smtp_code, describe(exc)
    if isinstance(exc, smtplib.SMTPNotSupportedError):  # e.g. an address that needs SMTPUTF8
        return 554, describe(exc)
    return None


class _Outcome:
    """Applies what happened to one message to its row."""

    def __init__(self, now: datetime, settings: dict[str, Any], report: DispatchReport) -> None:
        self.now, self.settings, self.report = now, settings, report

    def _release(self, n: Notification) -> None:
        n.claimed_by = None
        n.claimed_at = None

    def sent(self, ids: list[int]) -> None:
        """The messages the server took, in one statement (a batch is hundreds)."""
        db.session.execute(
            update(Notification).where(Notification.id.in_(ids))
            .values(state=State.SENT, attempts=Notification.attempts + 1, sent_at=utcnow(), next_attempt_at=None, claimed_by=None,
                    claimed_at=None)
            .execution_options(synchronize_session="evaluate"))
        self.report.sent += len(ids)

    def refused(self, n: Notification, code: int, message: str) -> None:
        self._release(n)
        n.attempts += 1
        n.last_error = message[:1000]
        if code >= 500 or n.attempts >= self.settings["mail_max_attempts"]:
            self.fail(n)
        else:
            self._later(n)
            self.report.retrying += 1

    def unavailable(self, n: Notification, error: str) -> None:
        self._release(n)
        n.deferrals += 1
        n.last_error = error[:1000]
        self._later(n)
        self.report.waiting += 1

    def fail(self, n: Notification) -> None:
        n.state = State.FAILED
        n.failed_at = utcnow()
        n.next_attempt_at = None
        self.report.failed += 1
        log.warning("message %s to %s failed: %s", n.id, n.to_address, n.last_error)

    def _later(self, n: Notification) -> None:
        n.state = State.PENDING
        n.next_attempt_at = self.now + backoff(n.tries, self.settings)


class Lane:
    """One SMTP connection, kept open from one batch to the next for as long as it works (a
    connection costs the greeting, EHLO, TLS and login: more than a message)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.conn: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        if self.conn is not None:
            try:  # the server may have closed it while the last batch was being recorded
                if self.conn.noop()[0] == 250:
                    return self.conn
            except (OSError, smtplib.SMTPException):
                pass
            self.drop()
        self.conn = connect(self.settings)
        return self.conn

    def drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
            self.conn = None


def _send_one(conn: smtplib.SMTP, out: Outgoing, settings: dict[str, Any], envelope_from: str) -> None:
    if out.to_address.isascii():
        conn.sendmail(envelope_from, [out.to_address], encode_message(out, settings))
    else:
        conn.send_message(build_message(out, settings), from_addr=envelope_from, to_addrs=[out.to_address])


def deliver(outgoing: list[Outgoing], settings: dict[str, Any], lane: Lane | None = None) -> list[Delivery]:
    """Send over one connection (the lane's, kept open afterwards, or one of its own), in
    order. Once the connection is lost, the rest wait."""
    own = lane is None
    lane = lane or Lane(settings)
    try:
        conn = lane.open()
    except ServerUnavailable as exc:
        return [Delivery(out.id, UNAVAILABLE, error=str(exc)) for out in outgoing]
    envelope_from = sender_address(settings)
    results: list[Delivery] = []
    try:
        for out in outgoing:
            try:
                _send_one(conn, out, settings, envelope_from)
            except (ValueError, TypeError) as exc:  # e.g. a line break in an address
                results.append(Delivery(out.id, REFUSED, 554, f"cannot build the message: {describe(exc)}"))
                continue
            except smtplib.SMTPException as exc:
                refusal = _refusal(exc, out.to_address)
                if refusal is None:
                    raise
                results.append(Delivery(out.id, REFUSED, *refusal))
            else:
                results.append(Delivery(out.id, SENT))
    except (OSError, smtplib.SMTPException) as exc:
        error = describe(exc)
        results.extend(Delivery(out.id, UNAVAILABLE, error=error) for out in outgoing[len(results):])
        lane.drop()
    finally:
        if own:
            lane.close()
    return results


def _deliver_all(outgoing: list[Outgoing], settings: dict[str, Any], pool: ThreadPoolExecutor | None, lanes: list[Lane]) -> list[Delivery]:
    """Send one batch over the lanes' connections at once (the client builds one message while
    the server takes another)."""
    used = min(len(lanes), len(outgoing))
    if pool is None or used <= 1:
        return deliver(outgoing, settings, lanes[0])
    shares = [outgoing[i::used] for i in range(used)]
    return [d for share in pool.map(lambda i: deliver(shares[i], settings, lanes[i]), range(used)) for d in share]


def _record(results: list[Delivery], outcome: _Outcome) -> bool:
    """Apply a batch's outcome to its rows; False when the server was unavailable."""
    sent = [d.id for d in results if d.status == SENT]
    if sent:
        outcome.sent(sent)
    others = {d.id: d for d in results if d.status != SENT}
    if others:  # the few refused or waiting, each with its own attempts, error and next try
        for n in db.session.scalars(select(Notification).where(Notification.id.in_(others)).execution_options(populate_existing=True)):
            d = others[n.id]
            if d.status == REFUSED:
                outcome.refused(n, d.code, d.error)
            else:
                outcome.unavailable(n, d.error)
    return all(d.status != UNAVAILABLE for d in results)


def send_due(now: datetime | None = None, *, limit: int | None = None, batch_size: int | None = None, worker: str | None = None) -> DispatchReport:
    """Send every message due as of `now` (at most `limit`), committing after each batch.

    Stops early when the server is unavailable: the next run tries again.
    """
    settings = current_app.config["KPI"]
    now = now or utcnow()
    size = batch_size or settings["mail_batch_size"]
    worker = worker or worker_id()
    report = DispatchReport(released=release_stale_claims(settings))
    outcome = _Outcome(now, settings, report)
    pool = ThreadPoolExecutor(settings["smtp_connections"], thread_name_prefix="smtp") if settings["smtp_connections"] > 1 else None
    lanes = [Lane(settings) for _ in range(max(1, settings["smtp_connections"]))]
    # One batch is sent while the one before is recorded and the next claimed: the database's
    # share of the work overlaps the server's. A batch claimed is always sent and recorded.
    sender = ThreadPoolExecutor(1, thread_name_prefix="smtp-batch")
    sending: Future[list[Delivery]] | None = None
    reachable = True
    try:
        while True:
            batch: list[Outgoing] = []
            if reachable and (limit is None or report.claimed < limit):
                batch = _claimed(_claim(now, size if limit is None else min(size, limit - report.claimed), worker, settings))
            if batch:
                report.claimed += len(batch)
                report.batches += 1
                queued = sender.submit(_deliver_all, batch, settings, pool, lanes)
            if sending is not None:
                reachable = _record(sending.result(), outcome) and reachable
                db.session.commit()
                if not reachable:
                    log.warning("SMTP server %s:%s unavailable; messages wait", settings["smtp_host"], settings["smtp_port"])
            if not batch:
                break
            sending = queued
    finally:
        sender.shutdown()
        if pool is not None:
            pool.shutdown()
        for lane in lanes:
            lane.close()
    return report
