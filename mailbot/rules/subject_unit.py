"""subject-unit-unknown / subject-unit-mismatch: the unit named in the subject is the sender's own."""

from __future__ import annotations

from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy


class SubjectUnit:
    id = "subject-unit"
    codes = ("subject-unit-unknown", "subject-unit-mismatch")
    description = "Tên đơn vị trong tiêu đề phải là tên của chính đơn vị gửi thư."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        parts = case.subject
        if parts.unit_text is None:
            return None  # subject-format speaks for it
        if not parts.units:
            return Reason("subject-unit-unknown", Action.REJECT, {"unit_text": parts.unit_text})
        unit = case.sender_unit
        if unit is not None and unit.unit_id not in {u.unit_id for u in parts.units}:
            named = ", ".join(u.subject_name for u in parts.units)
            return Reason("subject-unit-mismatch", Action.REJECT, {"named": named, "unit": unit.subject_name})
        return None
