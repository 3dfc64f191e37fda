"""automatic-mail: never answer robots (auto-replies, bounces, lists, bulk mail)."""

from __future__ import annotations

from mailbot.core.text import fold
from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy

_ROBOT_SUBJECTS = tuple(
    fold(p)
    for p in (
        "Automatic reply:", "Auto reply:", "Autoreply:", "Out of Office", "Trả lời tự động:", "Thư trả lời tự động",
        "Read:", "Đã đọc:", "Read Receipt", "Undeliverable:", "Undelivered Mail", "Delivery Status Notification",
        "Mail Delivery Failed", "Không gửi được thư", "Không thể gửi",
    )
)
_ROBOT_LOCALPARTS = {"mailer-daemon", "postmaster", "no-reply", "noreply", "do-not-reply", "donotreply"}


def robot_signal(case: Case) -> str | None:
    """The header that shows the mail is automatic, or None for a person's mail."""
    mail = case.mail
    auto = (mail.header("Auto-Submitted") or "no").strip().lower()
    if not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    precedence = (mail.header("Precedence") or "").strip().lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    # X-Auto-Response-Suppress is deliberately absent: Outlook puts it on ordinary mail too.
    for name in ("List-Id", "List-Unsubscribe", "X-Autoreply", "X-Autorespond"):
        if mail.header(name) is not None:
            return name
    if "return-path" in mail.headers and not mail.return_path:
        return "Return-Path: <>"
    if mail.content_type == "multipart/report":
        return "Content-Type: multipart/report"
    sender = mail.sender
    if sender and sender.address.partition("@")[0] in _ROBOT_LOCALPARTS:
        return f"From: {sender.address}"
    # Some servers strip the headers; the subjects that mail programs write for robots remain.
    subject = fold(mail.subject)
    for prefix in _ROBOT_SUBJECTS:
        if subject.startswith(prefix):
            return f"Subject: {mail.subject[:40]}"
    return None


class AutomaticMail:
    id = "automatic-mail"
    codes = ("automatic-mail",)
    description = "Thư tự động (trả lời vắng mặt, thư báo lỗi, danh sách thư): ghi sổ, không trả lời."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        signal = robot_signal(case)
        return Reason(self.id, Action.IGNORE, {"signal": signal}) if signal else None
