"""subject-encoding: legacy font text (TCVN3, VNI) is repaired or held for a person, never silently
rejected; text whose letters were lost ("B?o c?o", U+FFFD) is asked to be sent again."""

from __future__ import annotations

from mailbot.core.ime import typed_without_ime
from mailbot.core.verdict import Action, Reason
from mailbot.rules.base import Case, Policy

_LEGACY_NAMES = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI", "mojibake": "UTF-8 bị đọc sai bảng mã"}


def _unreadable(case: Case) -> bool:
    repair = case.subject_repair
    return (repair is not None and repair.kind == "unreadable") or typed_without_ime(case.mail.subject)


def _trusted_repair(case: Case) -> bool:
    """Repaired with confidence and a unit was found: judged like any other subject."""
    repair = case.subject_repair
    return repair is not None and repair.confident and bool(case.subject.units)


def subject_unusable(case: Case) -> bool:
    """The other subject rules have nothing sound to judge: letters lost, or a doubtful repair."""
    repair = case.subject_repair
    if _unreadable(case):
        return True
    return repair is not None and repair.kind not in ("none", "unreadable") and not _trusted_repair(case)


class SubjectEncoding:
    id = "subject-encoding"
    codes = ("subject-unreadable", "subject-legacy-encoding")
    description = "Tiêu đề phải đọc được: chữ mã cũ (TCVN3, VNI) được sửa hoặc chờ văn thư xem; chữ đã mất dấu hỏi thì đề nghị gửi lại."

    def check(self, case: Case, policy: Policy) -> Reason | None:
        repair = case.subject_repair
        if _unreadable(case):
            return Reason("subject-unreadable", Action.REJECT, {"subject": case.mail.subject})
        if repair is None or repair.kind == "none" or _trusted_repair(case):
            return None
        return Reason(
            "subject-legacy-encoding",
            Action.HOLD,
            {"encoding": _LEGACY_NAMES.get(repair.kind, repair.kind), "guess": repair.text},
        )
