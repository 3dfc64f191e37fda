"""deliver_replies: send what the outbox holds, mark it sent; retry temporary failures with backoff."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from mailbot.adapters.db import Database, PendingReply
from mailbot.errors import PermanentDeliveryError, SmtpUnavailable, TemporaryDeliveryError
from mailbot.service.crashpoints import crash_point
from mailbot.ports import ReplyChannel, ReplyTransport

log = logging.getLogger(__name__)
_MAX_BACKOFF = timedelta(hours=6)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    stopped_early: bool = False  # the server is away: the rest waits for the next run


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int
    retry_base_seconds: float
    batch_size: int = 100


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """1, 2, 4, 8 … times the base, at most six hours."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), _MAX_BACKOFF)


def deliver_replies(
    db: Database, transport: ReplyTransport, policy: DeliveryPolicy, clock: Callable[[], datetime]
) -> DeliveryReport:
    """Send every reply that is due, over one connection. A retry is scheduled after the run's start,
    so no reply is tried twice in one run."""
    report = DeliveryReport()
    started = clock()
    with transport.open() as channel:
        while not report.stopped_early:
            with db.transaction() as reg:
                due = reg.due_replies(started, policy.batch_size)
            if not due:
                break
            for reply in due:
                if not _deliver_one(db, channel, reply, policy, clock, report):
                    report.stopped_early = True
                    break
    return report


def _deliver_one(
    db: Database,
    channel: ReplyChannel,
    reply: PendingReply,
    policy: DeliveryPolicy,
    clock: Callable[[], datetime],
    report: DeliveryReport,
) -> bool:
    """Send one reply and record the outcome; False when the server is unreachable.

    Claim, send and outcome share one transaction: a second daemon on the same database waits at the
    claim and then skips the reply, and a crash between the server's 250 and the commit leaves the reply
    pending, to be sent again with the same bytes and Message-ID."""
    with db.transaction() as reg:
        if not reg.claim_reply(reply.id, clock()):
            return True  # sent (or rescheduled) by another process meanwhile
        try:
            channel.send(reply.sender, reply.recipient, reply.raw)
        except SmtpUnavailable as exc:
            # Nothing reached the server: the reply stays due, no attempt is counted, the next run tries again.
            log.warning("SMTP server unavailable, replies wait: %s", exc)
            return False
        except PermanentDeliveryError as exc:
            reg.reply_failed(reply.id, str(exc))
            report.failed += 1
            log.error("reply %s to %s refused for good: %s", reply.id, reply.recipient, exc)
            return True
        except TemporaryDeliveryError as exc:
            attempts = reply.attempts + 1
            if attempts >= policy.max_attempts:
                reg.reply_failed(reply.id, f"sau {attempts} lần thử: {exc}")
                report.failed += 1
            else:
                reg.reply_retry(reply.id, clock() + backoff(attempts, policy.retry_base_seconds), str(exc))
                report.retried += 1
            log.warning("reply %s to %s not sent (attempt %d): %s", reply.id, reply.recipient, attempts, exc)
            return True
        crash_point("after-smtp")
        reg.reply_sent(reply.id, clock())
    crash_point("after-sent")
    report.sent += 1
    log.info("reply %s sent to %s", reply.id, reply.recipient)
    return True
