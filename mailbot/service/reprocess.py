"""Judge a recorded message again, from its stored raw bytes, with today's rules and units registry.

Staff use it after fixing what made a message fail: the school's address added to its unit, a unit
name added as an alias, a parser bug fixed. The message keeps its row (same id, same mailbox and UID);
its verdict, reasons, subject fields, attachments and submission are replaced in one transaction, by
the poll's own code path (poll.add_judged).

Replies: never a second reply of the same kind to one message (the outbox is unique on message and
kind), and never a rejection after a receipt (the school was told its report arrived; a person must
speak now). A receipt after an earlier rejection is sent: that is the point of reprocessing.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from mailbot.adapters.db import Register
from mailbot.core.units import Registry
from mailbot.core.verdict import Status
from mailbot.ports import FetchedMessage
from mailbot.service.poll import (
    PollContext,
    _Judged,
    _judge,
    _should_answer,
    Unjudged,
    add_judged,
    time_limited_judge,
)

log = logging.getLogger(__name__)

# Statuses reprocessing may change. An accepted message already counts as a submission and has its
# receipt; judging it again could only take back what the school was told.
REPROCESSABLE = frozenset({Status.QUARANTINED.value, Status.HELD.value, Status.REJECTED.value, Status.IGNORED.value})


class ReprocessError(Exception):
    """The message cannot be reprocessed; `code` is "notfound", "accepted" or "raw", the text Vietnamese."""

    def __init__(self, code: str, text: str):
        super().__init__(text)
        self.code = code


@dataclass(frozen=True)
class ReprocessOutcome:
    message_id: int
    before: str  # status before
    status: str  # status after
    replies_queued: int
    error: str | None  # still quarantined: why


def reprocess(ctx: PollContext, message_id: int) -> ReprocessOutcome:
    """Re-judge one recorded message in place; raises ReprocessError when it may not be."""
    with ctx.db.transaction() as reg:
        row = reg.message_for_update(message_id)
        if row is None:
            raise ReprocessError("notfound", f"không tìm thấy thư số {message_id}")
        if row.status not in REPROCESSABLE:
            raise ReprocessError("accepted", f"thư số {message_id} đã được tiếp nhận; không cần xử lý lại")
        try:
            raw = ctx.blobs.read("raw", row.raw_sha256)
        except (OSError, ValueError) as exc:
            raise ReprocessError("raw", f"không đọc được tệp thư gốc của thư số {message_id}: {exc}") from exc
        mailbox = reg.mailbox_row(row.mailbox_id)
        now = ctx.clock()
        received = row.internal_date or row.recorded_at
        before = row.status
        registry = Registry(reg.units())
        fetched = FetchedMessage(
            uid=row.uid, raw=raw, internal_date=received, size=row.raw_size, header_only=len(raw) < row.raw_size
        )
        judged = _judge_once(fetched, registry, ctx)
        reg.drop_submission_of(message_id)
        if isinstance(judged, Unjudged):
            reg.rewrite_message(
                message_id,
                status=Status.QUARANTINED.value,
                reasons=[{"code": judged.code, "details": {"error": judged.error}}],
                error=judged.error,
            )
            status, queued, error = Status.QUARANTINED.value, 0, judged.error
        else:
            answer_from = mailbox.answer_from_uid if mailbox is not None else 1
            answered = _should_answer(row.uid, received, answer_from, ctx.answer_since)
            status, queued = add_judged(
                reg, ctx, registry, judged, {}, answered, received, now, raw,
                write=functools.partial(reg.rewrite_message, message_id),
                reply_reference=_ReplyGate(reg, message_id),
            )
            error = row.error if status == Status.QUARANTINED.value else None  # set by a failed reply
    log.info("message %s reprocessed: %s -> %s, %d reply(ies) queued", message_id, before, status, queued)
    return ReprocessOutcome(message_id, before, status, queued, error)


def _judge_once(fetched: FetchedMessage, registry: Registry, ctx: PollContext) -> _Judged | Unjudged:
    """The poll's parse-and-judge, within the same time limit (a helper process) when one is set."""
    limited = time_limited_judge(ctx, registry)
    try:
        return _judge(fetched, registry, ctx, limited)
    finally:
        if limited is not None:
            limited.close()


class _ReplyGate:
    """Which replies a reprocessed message may still get, and under which outbox reference."""

    def __init__(self, reg: Register, message_id: int):
        self.reg = reg
        self.kinds = {kind for kind, _ in reg.replies_of(message_id)}

    def __call__(self, kind: str, reference: str) -> str | None:
        if kind in self.kinds:
            return None  # never the same kind twice
        if kind == "rejection" and "receipt" in self.kinds:
            return None  # never take back a receipt by mail
        self.kinds.add(kind)
        # the first reply of the message holds its reference; a later one (a receipt after a
        # rejection) shows the same reference to the school and is kept in the outbox as "<ref>-2"
        candidate, n = reference, 1
        while self.reg.reference_taken(candidate):
            n += 1
            candidate = f"{reference}-{n}"
        return candidate
