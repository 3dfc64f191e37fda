"""display-name: the name shown beside the address must not imitate a school or use look-alike letters."""

from __future__ import annotations

from mailbot.core.lookalike import is_mixed_script
from mailbot.core.subject import parse_subject
from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy


class DisplayName:
    id = "display-name"
    codes = ("sender-name-lookalike", "sender-display-name")
    description = "Tên hiển thị của người gửi không được giả tên trường hoặc dùng chữ giả dạng."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        sender = case.mail.sender
        if sender is None or not sender.display_name:
            return None
        name = sender.display_name
        if is_mixed_script(name):
            # the address may be right; a person looks before anything is answered
            return Reason("sender-name-lookalike", Action.HOLD, {"name": name})
        if case.sender_unit is not None:
            return None  # a registered address with an odd display name is still that unit (or the office)
        claimed = parse_subject(name, case.registry).units
        if claimed and not any(sender.address in u.addresses for u in claimed):
            return Reason(
                "sender-display-name",
                Action.REJECT,
                {"name": name, "unit": claimed[0].subject_name, "address": sender.address},
            )
        return None
