"""sender-domain: reports come only from the unit's official address on the allowed domain."""

from __future__ import annotations

from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy


class SenderDomain:
    id = "sender-domain"
    codes = ("sender-domain",)
    description = "Người gửi phải dùng địa chỉ thư chính thức của đơn vị (@bentre.edu.vn), không dùng thư cá nhân."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        sender = case.mail.sender
        if sender is None or sender.domain == policy.allowed_domain.lower():
            return None
        return Reason(self.id, Action.REJECT, {"address": sender.address, "domain": policy.allowed_domain})
