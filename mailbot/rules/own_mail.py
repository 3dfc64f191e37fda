"""own-mail: mail from our own addresses is never answered (no reply loops)."""

from __future__ import annotations

from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy


class OwnMail:
    id = "own-mail"
    codes = ("own-mail",)
    description = "Thư gửi từ chính hộp thư của Phòng hoặc địa chỉ trả lời tự động: ghi sổ, không trả lời."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        addresses = {a.address for a in case.mail.from_addresses}
        if addresses & policy.own_addresses:
            return Reason(self.id, Action.IGNORE)
        return None
