"""Compose the Vietnamese receipt or rejection for a judged message, as finished RFC 5322 bytes."""

from __future__ import annotations

import email
import email.policy
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import jinja2

from mailbot.core.lookalike import is_lookalike_address
from mailbot.core.mail import ParsedMail
from mailbot.core.subject import SubjectParts, example_subject
from mailbot.core.text import strip_controls
from mailbot.core.units import Unit
from mailbot.core.verdict import Action, Verdict
from mailbot.service.submissions import SubmissionNote

if TYPE_CHECKING:
    from mailbot.service.deadlines import MissingRow

_PLAIN_ADDRESS = re.compile(r"^[a-z0-9](?:[a-z0-9._%+=-]{0,63})@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
SUBJECT_TAGS = {"receipt": "[Đã nhận]", "rejection": "[Chưa hợp lệ]"}
# Quoted-printable body lines at most 76 characters (RFC 2045 §6.7).
_BODY_POLICY = email.policy.SMTP.clone(max_line_length=76)
# Python 3.11 loses the space between two encoded-words when it folds a long Vietnamese Subject;
# headers are therefore written unfolded (RFC 5322 allows 998 characters; ours stay far below).
_HEADER_POLICY = email.policy.SMTP.clone(max_line_length=998)
_MAX_SUBJECT = 200


@dataclass(frozen=True)
class ReplyContext:
    office_name: str
    from_address: str
    allowed_domain: str
    timezone: str


@dataclass(frozen=True)
class Reply:
    kind: str
    recipient: str
    message_id_header: str
    raw: bytes


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("mailbot", "templates"),
        autoescape=False,  # plain-text mail; nothing is rendered as HTML
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def reason_texts() -> dict[str, dict[str, str]]:
    """Every reason code with its Vietnamese `text` and `fix` (templates/reasons.toml), read once."""
    data = resources.files("mailbot").joinpath("templates/reasons.toml").read_text(encoding="utf-8")
    return tomllib.loads(data)


def explain(code: str, details: dict[str, str]) -> dict[str, str]:
    entry = reason_texts()[code]
    return {k: entry[k].format_map(_Safe(details)) for k in ("text", "fix")}


def describe_reasons(reasons: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Recorded reasons ({"code", "details"}) as code, Vietnamese text and fix, for staff; a code this
    version no longer knows is shown by name."""
    described = []
    for reason in reasons or []:
        code = str(reason.get("code", ""))
        details = {k: str(v) for k, v in (reason.get("details") or {}).items()}
        words = explain(code, details) if code in reason_texts() else {"text": f"Lý do “{code}”.", "fix": ""}
        described.append({"code": code, **words})
    return described


class _Safe(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "…"


def size_text(size: int) -> str:
    """Sizes the way an office reads them: 950 byte, 12,3 KB, 1,5 MB."""
    if size < 1024:
        return f"{size} byte"
    value, unit = size / 1024, "KB"
    for bigger in ("MB", "GB"):
        if round(value, 1) < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}".replace(".", ",")


def local_time_text(when: datetime, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).strftime("%H:%M ngày %d/%m/%Y") + " (giờ Việt Nam)"


def reference_for(message_pk: int, received: datetime, tz: str) -> str:
    return f"PGD-{received.astimezone(ZoneInfo(tz)).year}-{message_pk:06d}"


def can_answer(address: str) -> bool:
    """Only a plain ASCII address gets mail from us: a look-alike is not who it pretends to be, and a
    quoted or encoded local part ("victim@evil,x"@…) would put other recipients into our To."""
    return not is_lookalike_address(address) and bool(_PLAIN_ADDRESS.match(address))


def compose(
    ctx: ReplyContext,
    mail: ParsedMail,
    verdict: Verdict,
    parts: SubjectParts,
    unit: Unit | None,
    reference: str,
    received: datetime,
    now: datetime,
    note: SubmissionNote | None = None,
) -> Reply | None:
    """The reply this verdict deserves, or None when nobody should be answered."""
    sender = mail.sender
    if verdict.action not in (Action.ACCEPT, Action.REJECT) or sender is None:
        return None
    if not can_answer(sender.address):
        return None
    kind = "receipt" if verdict.action is Action.ACCEPT else "rejection"
    subject = _one_line(mail.subject) or "(không có tiêu đề)"
    values: dict[str, Any] = {
        "office_name": ctx.office_name,
        "unit_name": unit.name if unit else (sender.display_name or sender.address),
        "reference": reference,
        "received": local_time_text(received, ctx.timezone),
        "subject": subject,
        "sender": sender.address,
        "allowed_domain": ctx.allowed_domain,
        "attachments": [{"filename": a.filename, "size_text": size_text(a.size)} for a in mail.attachments],
        "reasons": [explain(r.code, r.details) for r in verdict.reasons],
        "example_subject": example_subject(unit or (parts.units[0] if len(parts.units) == 1 else None), parts.content),
        "report": note,
    }
    body = _environment().get_template(f"{kind}.txt.j2").render(values)
    # receipts and rejections differ in their Message-ID, so a reply to a rejection (a corrected
    # resend) is never mistaken for a reply to a receipt (conversation)
    idstring = reference if kind == "receipt" else f"{reference}-R"
    msg, message_id = _envelope(ctx, sender.address, f"{SUBJECT_TAGS[kind]} {subject}", idstring, reference, now)
    if mail.message_id:
        msg["In-Reply-To"] = mail.message_id
        msg["References"] = " ".join([*mail.references[-10:], mail.message_id])
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return Reply(kind, sender.address, message_id, msg.as_bytes(policy=_HEADER_POLICY))


def compose_urgent_alert(
    ctx: ReplyContext,
    raw: bytes,
    mail: ParsedMail,
    unit: Unit,
    reference: str,
    received: datetime,
    now: datetime,
    staff_address: str,
) -> Reply:
    """An urgent report, forwarded at once to staff with the original message attached."""
    subject = _one_line(mail.subject) or "(không có tiêu đề)"
    body = _environment().get_template("urgent_alert.txt.j2").render(
        office_name=ctx.office_name,
        unit_name=unit.name,
        sender=mail.sender.address if mail.sender else "",
        subject=subject,
        received=local_time_text(received, ctx.timezone),
        reference=reference,
    )
    msg, message_id = _envelope(ctx, staff_address, f"[KHẨN] {unit.subject_name}: {subject}", f"{reference}-K", reference, now)
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    original = email.message_from_bytes(raw, policy=email.policy.default)
    msg.add_attachment(original, filename=f"{reference}.eml")
    return Reply("urgent", staff_address, message_id, msg.as_bytes(policy=_HEADER_POLICY))


def compose_notice(
    ctx: ReplyContext, kind: str, to: str, unit_name: str, row: "MissingRow", now: datetime, reference: str
) -> Reply:
    """A reminder before a deadline, or a notice after it, to a unit that has not sent."""
    body = _environment().get_template(f"{kind}.txt.j2").render(
        office_name=ctx.office_name,
        unit_name=unit_name,
        report_name=row.report_name,
        period_label=row.period_label,
        deadline=row.deadline.astimezone(ZoneInfo(ctx.timezone)).strftime("%d/%m/%Y") if row.deadline else "",
        due_text=row.due_text,
        reference=reference,
    )
    tag = "[Nhắc gửi báo cáo]" if kind == "reminder" else "[Quá hạn báo cáo]"
    msg, message_id = _envelope(ctx, to, f"{tag} {row.report_name} {row.period_label}", reference, reference, now)
    msg.replace_header("Auto-Submitted", "auto-generated")
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return Reply(kind, to, message_id, msg.as_bytes(policy=_HEADER_POLICY))


def compose_digest(ctx: ReplyContext, to: str, rows: "list[MissingRow]", now: datetime, reference: str) -> Reply:
    """The morning digest for staff: every report still owed, overdue first."""
    local = now.astimezone(ZoneInfo(ctx.timezone))
    ordered = sorted(rows, key=lambda r: (not r.overdue, r.deadline or now, r.unit_id))
    body = _environment().get_template("digest.txt.j2").render(
        office_name=ctx.office_name,
        day=local.strftime("%d/%m/%Y"),
        rows=ordered,
        overdue=sum(1 for r in rows if r.overdue),
        tz=ZoneInfo(ctx.timezone),
    )
    msg, message_id = _envelope(ctx, to, f"[Tổng hợp] Báo cáo chưa nộp ngày {local.strftime('%d/%m/%Y')}", reference, reference, now)
    msg.replace_header("Auto-Submitted", "auto-generated")
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return Reply("digest", to, message_id, msg.as_bytes(policy=_HEADER_POLICY))


def compose_staff_alert(ctx: ReplyContext, to: str, subject: str, text: str, reference: str, now: datetime) -> Reply:
    """A message to staff about mailbot itself (the mailbox cannot be read, …)."""
    body = f"{text}\n\n{ctx.office_name} — hộp thư nhận báo cáo (thư tự động)\n"
    msg, message_id = _envelope(ctx, to, f"[mailbot] {subject}", reference, reference, now)
    msg.replace_header("Auto-Submitted", "auto-generated")
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return Reply("alert", to, message_id, msg.as_bytes(policy=_HEADER_POLICY))


def _envelope(ctx: ReplyContext, to: str, subject: str, idstring: str, reference: str, now: datetime) -> tuple[EmailMessage, str]:
    """Headers every message of ours carries; mail text reaches them only through _one_line."""
    msg = EmailMessage(policy=_BODY_POLICY)
    msg["From"] = formataddr((ctx.office_name, ctx.from_address))
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now.astimezone(ZoneInfo(ctx.timezone)))
    message_id = make_msgid(idstring=idstring, domain=ctx.from_address.rpartition("@")[2])
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    msg["X-Mailbot-Reference"] = reference
    return msg, message_id


def _one_line(text: str) -> str:
    """Mail text that goes into a header: no control characters, bounded length, and no "=?" — the
    email package would decode an encoded-word written as plain text (a CR LF, a Bcc) on assignment."""
    line = " ".join(strip_controls(text).split()).replace("=?", "= ?")
    return line if len(line) <= _MAX_SUBJECT else line[: _MAX_SUBJECT - 1] + "…"
