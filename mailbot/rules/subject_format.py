"""subject-missing / subject-format: the subject reads "Tên đơn vị - nội dung"."""

from __future__ import annotations

from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy
from mailbot.rules.subject_encoding import subject_unusable


class SubjectFormat:
    id = "subject-format"
    codes = ("subject-missing", "subject-format", "subject-no-content")
    description = 'Tiêu đề thư phải ghi rõ "Tên đơn vị - nội dung gửi".'

    def check(self, case: Case, policy: Policy) -> Reason | None:
        parts = case.subject
        if subject_unusable(case):
            return None  # subject-encoding speaks for it
        if not parts.cleaned:
            return Reason("subject-missing", Action.REJECT)
        if parts.unit_text is None:
            return Reason("subject-format", Action.REJECT, {"subject": parts.cleaned})
        if not parts.content:
            return Reason("subject-no-content", Action.REJECT, {"subject": parts.cleaned})
        return None
