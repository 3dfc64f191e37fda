"""sender-lookalike: an address with look-alike letters (Cyrillic, fullwidth ＠, punycode) is refused."""

from __future__ import annotations

import difflib

from mailbot.core.lookalike import is_lookalike_address, skeleton
from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy


class SenderLookalike:
    id = "sender-lookalike"
    codes = ("sender-lookalike",)
    description = "Địa chỉ gửi có chữ giả dạng (chữ Kirin, ＠ toàn độ rộng, punycode): từ chối, không trả lời."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        sender = case.mail.sender
        if sender is None or not is_lookalike_address(sender.address):
            return None
        resembled = resembles(sender.address, case) or f"một địa chỉ @{policy.allowed_domain}"
        return Reason(self.id, Action.REJECT, {"address": sender.address, "resembles": resembled})


def resembles(address: str, case: Case) -> str | None:
    """The registered address this one imitates, when one is close."""
    shape = skeleton(address)
    known = {skeleton(a): a for u in case.registry.units.values() for a in u.addresses}
    if shape in known:
        return known[shape]
    close = difflib.get_close_matches(shape, list(known), n=1, cutoff=0.85)
    return known[close[0]] if close else None
