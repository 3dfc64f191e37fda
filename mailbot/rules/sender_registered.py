"""sender-unknown / sender-not-reporting: the address must belong to a registered reporting unit."""

from __future__ import annotations

from mailbot.core.lookalike import is_lookalike_address
from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy


class SenderRegistered:
    id = "sender-registered"
    codes = ("sender-unknown", "sender-not-reporting")
    description = "Địa chỉ gửi phải là địa chỉ đã đăng ký của một đơn vị trực thuộc Phòng."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        sender = case.mail.sender
        if sender is None or sender.domain != policy.allowed_domain.lower() or is_lookalike_address(sender.address):
            return None  # sender-missing / sender-domain / sender-lookalike already speak for it
        if sender.address in policy.own_addresses:
            return None  # own-mail speaks for it
        if case.sender_unit is None:
            return Reason("sender-unknown", Action.REJECT, {"address": sender.address})
        if not case.sender_unit.reports:
            return Reason("sender-not-reporting", Action.REJECT, {"unit": case.sender_unit.name})
        return None
