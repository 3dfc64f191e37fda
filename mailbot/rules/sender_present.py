"""sender-missing: a message needs exactly one From address, or there is nobody to answer."""

from __future__ import annotations

from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy


class SenderPresent:
    id = "sender-present"
    codes = ("sender-missing",)
    description = "Thư không có đúng một địa chỉ người gửi: ghi sổ để văn thư xem, không trả lời."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        count = len(case.mail.from_addresses)
        if count != 1:
            return Reason("sender-missing", Action.IGNORE, {"count": str(count)})
        return None
