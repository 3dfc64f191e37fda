"""reply-to-receipt: a reply to one of our receipts is conversation, not a report; never answered."""

from __future__ import annotations

import re

from mailbot.core.text import fold
from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy

_REPLY_PREFIXES = re.compile(r"^\s*(?:(?:re|aw|sv|tl|trả\s*lời|tra\s*loi)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TAG = re.compile(r"^\[([^\]]{1,20})\]")
# our receipts' Message-IDs end in ".PGD-2026-000123@domain>"; rejections carry "-R" before the "@"
_OUR_RECEIPT = re.compile(r"\.PGD-\d{4}-\d+@", re.IGNORECASE)


class ReplyToReceipt:
    id = "reply-to-receipt"
    codes = ("reply-to-receipt",)
    description = "Thư trả lời biên nhận của Phòng (Re: [Đã nhận] …): ghi sổ, không trả lời, tránh vòng lặp."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        mail = case.mail
        # A reply to a rejection ("Re: [Chưa hợp lệ] …") is a corrected resend and is judged normally.
        rest = _REPLY_PREFIXES.sub("", mail.subject, count=1)
        tag = _TAG.match(rest)
        if rest != mail.subject and tag and fold(tag.group(1)) == "da nhan":
            return Reason(self.id, Action.IGNORE)
        our_domains = {a.rpartition("@")[2] for a in policy.own_addresses}
        for ref in (mail.in_reply_to, *mail.references):
            if ref and _OUR_RECEIPT.search(ref) and ref.rstrip(">").rpartition("@")[2].lower() in our_domains:
                return Reason(self.id, Action.IGNORE)
        return None
