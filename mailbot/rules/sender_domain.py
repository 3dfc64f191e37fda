"""sender-domain: reports come only from the unit's official address on the allowed domain."""

from __future__ import annotations

from mailbot.core.lookalike import is_lookalike_address
from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy


class SenderDomain:
    id = "sender-domain"
    codes = ("sender-domain",)
    description = "Người gửi phải dùng địa chỉ thư chính thức của đơn vị (@bentre.edu.vn), không dùng thư cá nhân."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        sender = case.mail.sender
        if sender is None or sender.domain == policy.allowed_domain.lower() or is_lookalike_address(sender.address):
            return None  # sender-lookalike speaks for look-alike addresses
        return Reason(self.id, Action.REJECT, {"address": sender.address, "domain": policy.allowed_domain})
