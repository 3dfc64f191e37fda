"""message-too-large: the office mailbox has a size limit; the school is told the limit."""

from __future__ import annotations

from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy


class MessageSize:
    id = "message-size"
    codes = ("message-too-large",)
    description = "Thư vượt quá dung lượng cho phép: từ chối, nêu rõ giới hạn."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        if case.mail.size <= policy.max_message_bytes:
            return None
        mb = lambda n: f"{n / 1024 / 1024:.1f}".replace(".", ",")  # noqa: E731
        return Reason("message-too-large", Action.REJECT, {"size": mb(case.mail.size), "limit": mb(policy.max_message_bytes)})
