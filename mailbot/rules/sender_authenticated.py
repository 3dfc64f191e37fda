"""sender-unverified: when the office's server checks DKIM/DMARC, mail claiming a school address
without passing is held for a person and never answered (a forged From gets no reply)."""

from __future__ import annotations

from mailbot.core.authresults import authenticated, trusted_results
from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy


class SenderAuthenticated:
    id = "sender-authenticated"
    codes = ("sender-unverified",)
    description = "Khi máy chủ thư của Phòng kiểm tra DKIM/DMARC, thư mạo danh địa chỉ trường được giữ lại, không trả lời."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        sender = case.mail.sender
        if not policy.authserv_id or sender is None or sender.domain != policy.allowed_domain.lower():
            return None  # switched off, or not a school address (other rules speak for those)
        results = trusted_results(case.mail.headers.get("authentication-results", ()), policy.authserv_id)
        if results is not None and authenticated(results, sender.domain):
            return None
        found = ", ".join(f"{v.method}={v.result}" for v in results or ()) or "không có kết quả"
        return Reason("sender-unverified", Action.HOLD, {"address": sender.address, "results": found})
