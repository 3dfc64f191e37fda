"""subject-unit: the unit named in the subject is the sender's own, and only that unit."""

from __future__ import annotations

from difflib import SequenceMatcher

from mailbot.core.text import fold
from mailbot.core.units import Unit
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
            if case.sender_unit is not None and _typo_of(case.sender_unit, parts.unit_text, case):
                return None  # "THCS Thới Lia": a slip of the keyboard, and only the sender's name is close
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


_TYPO_RATIO = 0.9  # "thcs thoi lia" ~ "thcs thoi lai"; "thcs vang quoi dong" is not "thcs vang quoi"
_TYPO_MARGIN = 0.05


def _typo_of(unit: Unit, text: str, case: Case) -> bool:
    """True when the text is a near miss of the sender's own unit name, and clearly nearer to it
    than to any other unit's: typo tolerance only where the match is unambiguous."""
    key = _typo_key(text)

    def best(u: Unit) -> float:
        # the school type must agree: TH and THCS are different schools, MN and MG are the same level
        names = [k for k in map(_typo_key, u.names()) if k.split(" ")[:1] == key.split(" ")[:1]]
        return max((SequenceMatcher(None, key, n).ratio() for n in names), default=0.0)

    own = best(unit)
    if own < _TYPO_RATIO:
        return False
    rivals = (best(u) for u in case.registry.units.values() if u.unit_id != unit.unit_id)
    return all(r < own - _TYPO_MARGIN for r in rivals)


def _typo_key(name: str) -> str:
    key = fold(name).removeprefix("truong ")
    for long, short in (("mau giao ", "mn "), ("mam non ", "mn "), ("mg ", "mn ")):
        if key.startswith(long):
            return short + key.removeprefix(long)
    return key
