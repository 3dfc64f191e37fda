"""poll_once: mailbox → parse → judge → record (with its reply) → commit → mark done on the server.

Every step is idempotent, so a crash anywhere is repaired by the next poll: a message is found
again by (mailbox, UID) and skipped; a recorded message whose server marker is missing is marked.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mailbot.adapters.db import Database, Register
from mailbot.adapters.files import BlobStore
from mailbot.core.mail import ParsedMail, UnparseableMail, parse_mail
from mailbot.core.subject import SubjectParts
from mailbot.core.units import Registry
from mailbot.core.calendar import Calendar
from mailbot.core.verdict import Action, Status, Verdict
from mailbot.pipeline import judge
from mailbot.ports import FetchedMessage, Inbox, MailboxState
from mailbot.rules import Policy, Rule
from mailbot.service.crashpoints import crash_point
from mailbot.service.replies import ReplyContext, compose, compose_urgent_alert, reference_for
from mailbot.service.submissions import record_submission
from mailbot.service.timelimit import TimeLimited, TimeLimitExceeded, WorkerDied, slow_point

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    fetched: int = 0
    recorded: int = 0
    skipped: int = 0  # already in the register (a crash or a second daemon got there first)
    relocated: int = 0  # seen again under a new UIDVALIDITY
    marked: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    replies_queued: int = 0


@dataclass(frozen=True)
class PollContext:
    db: Database
    blobs: BlobStore
    policy: Policy
    rules: tuple[Rule, ...]
    replies: ReplyContext
    batch_size: int
    answer_since: datetime | None
    clock: Callable[[], datetime]
    calendar: Calendar | None = None  # None: submissions are not tracked (no report calendar)
    staff_address: str | None = None  # urgent reports are forwarded here
    reply_limits: tuple[int, int] = (10, 300)  # replies per hour: to one address, in all
    # wall-clock limit for parsing + judging one message, in a helper process; 0: in-process, no limit
    max_seconds_per_message: float = 0.0


def poll_once(inbox: Inbox, ctx: PollContext, should_stop: Callable[[], bool] = lambda: False) -> PollReport:
    """Record every new message; `should_stop` (SIGTERM) ends the poll between two messages."""
    report = PollReport()
    state = inbox.state()
    with ctx.db.transaction() as reg:
        mailbox_id, last_uid, answer_from_uid = _mailbox(reg, state, ctx.clock())
        registry = Registry(reg.units())
    _mark_leftovers(inbox, ctx, mailbox_id, report)
    recorder = _Recorder(ctx, state, mailbox_id, answer_from_uid, registry, report)
    try:
        uids = inbox.uids_after(last_uid)
        for start in range(0, len(uids), ctx.batch_size):
            batch = inbox.fetch(uids[start : start + ctx.batch_size])
            crash_point("after-fetch")
            report.fetched += len(batch)
            done = []
            for fetched in batch:
                recorder.record(fetched)
                done.append(fetched.uid)
                crash_point("after-commit")
                if should_stop():
                    break
            _mark(inbox, ctx, mailbox_id, done, report)
            crash_point("after-mark")
            if should_stop():
                log.info("stopping after %d message(s); the rest waits for the next start", report.fetched)
                break
    finally:
        recorder.close()
    return report


def _mailbox(reg: Register, state: MailboxState, now: datetime) -> tuple[int, int, int]:
    row = reg.mailbox(state.account, state.folder, state.uidvalidity)
    if row is None:
        # First sight of this folder: what is already there is old mail, recorded but not answered.
        # After a UIDVALIDITY reset the folder has history, so new UIDs are answered normally.
        first_start = not reg.has_history(state.account, state.folder)
        answer_from = state.uidnext if first_start else 1
        row = reg.add_mailbox(state.account, state.folder, state.uidvalidity, answer_from, now)
        log.info(
            "mailbox %s/%s uidvalidity=%s registered; answering from UID %s",
            state.account, state.folder, state.uidvalidity, answer_from,
        )
    return row.id, row.last_uid, row.answer_from_uid


def _mark_leftovers(inbox: Inbox, ctx: PollContext, mailbox_id: int, report: PollReport) -> None:
    with ctx.db.transaction() as reg:
        leftovers = reg.unmarked_uids(mailbox_id)
    if leftovers:
        log.info("marking %d message(s) recorded before an interruption", len(leftovers))
        _mark(inbox, ctx, mailbox_id, leftovers, report)


def _mark(inbox: Inbox, ctx: PollContext, mailbox_id: int, uids: list[int], report: PollReport) -> None:
    if not uids:
        return
    inbox.mark_done(uids)
    with ctx.db.transaction() as reg:
        reg.set_marked(mailbox_id, uids, ctx.clock())
    report.marked += len(uids)


def _should_answer(uid: int, received: datetime, answer_from_uid: int, answer_since: datetime | None) -> bool:
    """A configured cut-off date wins; otherwise "start from now": UIDs seen at first start are old mail."""
    if answer_since is not None:
        return received >= answer_since
    return uid >= answer_from_uid


@dataclass(frozen=True)
class _Judged:
    mail: ParsedMail
    verdict: Verdict
    parts: SubjectParts


@dataclass(frozen=True)
class _Job:
    """What the helper process needs of one message (sent through a pipe)."""

    raw: bytes
    header_only: bool
    size: int


def _parse_and_judge(registry: Registry, policy: Policy, rules: tuple[Rule, ...], job: _Job) -> _Judged:
    """The pure work for one message; raises UnparseableMail for a message that cannot be read."""
    # the size the server reports: a header-only fetch must still be judged as the big message it is
    mail = dataclasses.replace(parse_mail(job.raw, job.header_only), size=max(job.size, len(job.raw)))
    slow_point(mail.subject)
    verdict, parts = judge(mail, registry, policy, rules)
    return _Judged(mail, verdict, parts)


def _seconds_vi(seconds: float) -> str:
    """30 -> "30", 2.5 -> "2,5" (Vietnamese decimal comma)."""
    return f"{seconds:g}".replace(".", ",")


def time_limited_judge(ctx: PollContext, registry: Registry) -> TimeLimited[_Job, _Judged] | None:
    """A helper process that parses and judges with this registry, policy and rules, killed after
    `max_seconds_per_message`; None when the limit is off (judge in-process)."""
    if ctx.max_seconds_per_message <= 0:
        return None
    return TimeLimited(functools.partial(_parse_and_judge, registry, ctx.policy, ctx.rules), ctx.max_seconds_per_message)


@dataclass(frozen=True)
class Unjudged:
    """Why a message could not be judged: it goes to quarantine with this reason code and error."""

    error: str
    code: str = "unparseable"


def _judge(
    fetched: FetchedMessage, registry: Registry, ctx: PollContext, limited: TimeLimited[_Job, _Judged] | None = None
) -> _Judged | Unjudged:
    """Parse and judge (within the time limit when `limited` is given); a message that breaks either,
    or takes too long, gives why instead (quarantine)."""
    job = _Job(fetched.raw, fetched.header_only, fetched.size)
    code = "unparseable"
    try:
        if limited is None:
            return _parse_and_judge(registry, ctx.policy, ctx.rules, job)
        return limited(job)
    except UnparseableMail as exc:
        error = str(exc)
    except TimeLimitExceeded as exc:
        code = "processing-timeout"
        error = (
            f"quá thời gian xử lý ({_seconds_vi(exc.seconds)} giây): việc phân tích và kiểm tra thư bị dừng "
            "(giới hạn rules.max_seconds_per_message)"
        )
    except WorkerDied as exc:
        code = "processing-timeout"
        error = f"tiến trình xử lý thư dừng bất thường: {exc}"
    except Exception as exc:  # a bug must not make one message block all those behind it
        log.exception("UID %s: judging failed", fetched.uid)
        error = f"lỗi xử lý nội bộ: {type(exc).__name__}: {exc}"
    log.warning("UID %s quarantined: %s", fetched.uid, error)
    return Unjudged(error, code)


def _add_quarantined(reg: Register, fields: dict[str, Any], why: Unjudged) -> None:
    reg.add_message(
        status=Status.QUARANTINED.value,
        reasons=[{"code": why.code, "details": {"error": why.error}}],
        error=why.error,
        subject="",
        answered=False,
        **fields,
    )


@dataclass
class _Recorder:
    """Records the messages of one mailbox during one poll, one transaction per message."""

    ctx: PollContext
    state: MailboxState
    mailbox_id: int
    answer_from_uid: int
    registry: Registry
    report: PollReport
    _limited: TimeLimited[_Job, _Judged] | None = field(default=None, init=False, repr=False)

    def record(self, fetched: FetchedMessage) -> None:
        """Record one message (or find it already recorded); a bad message never raises."""
        raw_sha = self.ctx.blobs.put("raw", fetched.raw)  # before the commit: a crash leaves an orphan file only
        judged = _judge(fetched, self.registry, self.ctx, self._limiter())  # pure work first: a poison message cannot break the commit
        try:
            self._write(fetched, raw_sha, judged)
        except OSError:
            raise  # the disk, not the message: nothing was committed, the next poll tries again
        except Exception as exc:
            if self.ctx.db.is_outage(exc) or not self.ctx.db.is_available():
                raise  # the database is away: nothing is marked, the next poll starts again here
            # The database works but refused this message (a value it cannot store, a bug): keep a
            # quarantined record so the message is not lost and does not block the ones behind it.
            log.exception("UID %s could not be recorded as judged; quarantining it", fetched.uid)
            self._write(fetched, raw_sha, Unjudged(f"lỗi ghi sổ: {type(exc).__name__}: {exc}"))

    def _limiter(self) -> TimeLimited[_Job, _Judged] | None:
        """The helper process, created on the first message of the poll (it inherits this poll's
        registry, policy and rules); None when the limit is off."""
        if self._limited is None:
            self._limited = time_limited_judge(self.ctx, self.registry)
        return self._limited

    def close(self) -> None:
        if self._limited is not None:
            self._limited.close()
            self._limited = None

    def _write(self, fetched: FetchedMessage, raw_sha: str, judged: _Judged | Unjudged) -> None:
        ctx, report = self.ctx, self.report
        now = ctx.clock()
        received = fetched.internal_date or now
        with ctx.db.transaction() as reg:
            if reg.message_at(self.mailbox_id, fetched.uid) is not None:
                report.skipped += 1
            elif reg.relocate(self.state.account, self.state.folder, raw_sha, self.mailbox_id, fetched.uid) is not None:
                report.relocated += 1
            else:
                fields: dict[str, Any] = dict(
                    mailbox_id=self.mailbox_id,
                    uid=fetched.uid,
                    raw_sha256=raw_sha,
                    raw_size=max(fetched.size, len(fetched.raw)),  # the whole message, even when only its header was fetched
                    internal_date=received,
                    recorded_at=now,
                )
                if isinstance(judged, Unjudged):
                    _add_quarantined(reg, fields, judged)
                    status = Status.QUARANTINED.value
                else:
                    answered = _should_answer(fetched.uid, received, self.answer_from_uid, ctx.answer_since)
                    status, queued = add_judged(reg, ctx, self.registry, judged, fields, answered, received, now, fetched.raw)
                    report.replies_queued += queued
                _count(report, status)
                log.info("UID %s recorded: %s", fetched.uid, status)
            reg.advance(self.mailbox_id, fetched.uid)


# (attachments=[...], **message fields) -> the message's row id
WriteMessage = Callable[..., int]
# (kind, the reference it would get) -> the outbox reference to use, or None to queue no reply of this kind
ReplyReference = Callable[[str, str], str | None]


def add_judged(
    reg: Register,
    ctx: PollContext,
    registry: Registry,
    judged: _Judged,
    fields: dict[str, Any],
    answered: bool,
    received: datetime,
    now: datetime,
    raw: bytes,
    write: WriteMessage | None = None,
    reply_reference: ReplyReference | None = None,
) -> tuple[str, int]:
    """Record a judged message (row, attachments, submission) and queue its reply and urgent alert.
    Returns (status, replies queued). The poll adds a new row; reprocessing passes `write` (update the
    row in place) and `reply_reference` (no second reply of a kind already sent)."""
    mail, verdict, parts = judged.mail, judged.verdict, judged.parts
    attachments = [
        {"filename": a.filename, "content_type": a.content_type, "size": a.size, "sha256": ctx.blobs.put("attachments", a.data)}
        for a in mail.attachments
    ]
    sender = mail.sender
    message_pk = (write or reg.add_message)(
        attachments=attachments,
        status=verdict.status.value,
        reasons=[{"code": r.code, "details": r.details} for r in verdict.reasons],
        message_id_header=mail.message_id,
        subject=mail.subject,
        from_address=sender.address if sender else ", ".join(a.address for a in mail.from_addresses) or None,
        from_name=(sender.display_name if sender else None) or None,
        date_header=mail.date,
        unit_id=verdict.unit_id,
        subject_unit=parts.units[0].unit_id if len(parts.units) == 1 else None,
        subject_content=parts.content or None,
        answered=answered,
        **fields,
    )
    unit = registry.units.get(verdict.unit_id) if verdict.unit_id else None
    note = None
    if verdict.action is Action.ACCEPT and unit is not None and ctx.calendar is not None:
        note = record_submission(reg, ctx.calendar, parts.content, unit, message_pk, received)
    if not answered:
        return verdict.status.value, 0
    reference = reference_for(message_pk, received, ctx.replies.timezone)
    try:
        reply = compose(ctx.replies, mail, verdict, parts, unit, reference, received, now, note)
        alert = None
        if note is not None and note.urgent and ctx.staff_address and unit is not None:
            alert = compose_urgent_alert(ctx.replies, raw, mail, unit, reference, received, now, ctx.staff_address)
    except Exception as exc:
        log.exception("message %s: composing the reply failed", message_pk)
        reg.quarantine(message_pk, f"lỗi soạn thư trả lời: {type(exc).__name__}: {exc}")
        return Status.QUARANTINED.value, 0
    if reply is not None and _over_rate(reg, ctx, reply.recipient, now, message_pk):
        reply = None
    queued = 0
    for outgoing, ref in ((reply, reference), (alert, f"{reference}-K")):
        if outgoing is None:
            continue
        use = ref if reply_reference is None else reply_reference(outgoing.kind, ref)
        if use is not None:
            reg.queue_reply(outgoing, use, ctx.replies.from_address, now, message_pk=message_pk)
            queued += 1
    return verdict.status.value, queued


def _over_rate(reg: Register, ctx: PollContext, recipient: str, now: datetime, message_pk: int) -> bool:
    """Loop guard: an autoresponder that answers every receipt without saying so is stopped by a
    per-recipient and a global hourly limit; the message stays in the register, flagged for staff."""
    hour_ago = now - timedelta(hours=1)
    limits = ctx.reply_limits
    sent_to_one = reg.replies_since(hour_ago, recipient)
    if sent_to_one < limits[0] and reg.replies_since(hour_ago) < limits[1]:
        return False
    log.warning("reply to %s withheld: hourly limit reached", recipient)
    reg.add_reason(message_pk, "reply-rate-limited", {"address": recipient, "count": str(sent_to_one)})
    return True


def _count(report: PollReport, status: str) -> None:
    report.recorded += 1
    report.by_status[status] = report.by_status.get(status, 0) + 1
