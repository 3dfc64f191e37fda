"""subject-unit: the unit named in the subject is the sender's own, and only that unit."""

from __future__ import annotations

from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy
from mailbot.rules.subject_encoding import subject_unusable


class SubjectUnit:
    id = "subject-unit"
    codes = ("subject-unit-unknown", "subject-unit-mismatch", "subject-two-units")
    description = "Tên đơn vị trong tiêu đề phải là tên của chính đơn vị gửi thư, và chỉ một đơn vị."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        parts = case.subject
        if parts.unit_text is None or subject_unusable(case):
            return None  # subject-format / subject-encoding speak for it
        if not parts.units:
            return Reason("subject-unit-unknown", Action.REJECT, {"unit_text": parts.unit_text})
        if parts.other_units:
            # "THCS X và TH Y - Báo cáo": whose report is it? A person decides (or a rejection, by setting).
            others = ", ".join(u.subject_name for u in parts.other_units)
            return Reason("subject-two-units", policy.two_units, {"unit": parts.units[0].subject_name, "others": others})
        unit = case.sender_unit
        sender = case.mail.sender
        if unit is None or (sender is not None and sender.address in policy.own_addresses):
            return None
        if unit.unit_id not in {u.unit_id for u in parts.units}:
            named = ", ".join(u.subject_name for u in parts.units)
            return Reason("subject-unit-mismatch", policy.unit_mismatch, {"named": named, "unit": unit.subject_name})
        return None
