"""subject-unit-unknown / subject-unit-mismatch: the unit named in the subject is the sender's own."""

from __future__ import annotations

import pytest

from mailbot.core.subject import SubjectParts
from mailbot.core.verdict import Action, Reason
from mailbot.rules import Case
from mailbot.rules.subject_unit import SubjectUnit

RULE = SubjectUnit()
THCS_THOI_LAI = "thcsthoilai.binhdai@bentre.edu.vn"


def test_id_and_codes() -> None:
    assert RULE.id == "subject-unit"
    assert RULE.codes == ("subject-unit-unknown", "subject-unit-mismatch")


@pytest.mark.parametrize(
    "subject",
    [
        "THCS Thới Lai - Báo cáo tháng 10",
        "Trường THCS Thới Lai - Báo cáo tháng 10",
        "thcs thoi lai - bao cao thang 10",
        "C2 Thới Lai: Báo cáo tháng 10",
        "THCS Thới Lai Báo cáo tháng 10",
        "Báo cáo tháng 10",  # no unit at all: subject-format speaks for it
        "",
    ],
)
def test_own_unit_or_nothing_to_say(make_mail, make_case, policy, subject) -> None:
    assert RULE.check(make_case(make_mail(from_=THCS_THOI_LAI, subject=subject)), policy) is None


@pytest.mark.parametrize(
    ("subject", "unit_text"),
    [
        ("Trường ABC - Báo cáo", "Trường ABC"),
        ("THCS Thới Lai Đông - Báo cáo", "THCS Thới Lai Đông"),
        ("Báo cáo tháng 9 - THCS Thới Lai", "Báo cáo tháng 9"),
    ],
)
def test_unknown_unit(make_mail, make_case, policy, subject, unit_text) -> None:
    case = make_case(make_mail(from_=THCS_THOI_LAI, subject=subject))
    assert RULE.check(case, policy) == Reason("subject-unit-unknown", Action.REJECT, {"unit_text": unit_text})


@pytest.mark.parametrize(
    ("subject", "named"),
    [
        ("TH Thới Lai - Báo cáo tháng 10", "TH Thới Lai"),  # the primary school, not the lower-secondary one
        ("MG Thừa Đức - Báo cáo", "MG Thừa Đức"),
        ("Phòng GD&ĐT Bình Đại - Báo cáo", "Phòng GD&ĐT Bình Đại"),
    ],
)
def test_another_units_name(make_mail, make_case, policy, subject, named) -> None:
    case = make_case(make_mail(from_=THCS_THOI_LAI, subject=subject))
    assert RULE.check(case, policy) == Reason(
        "subject-unit-mismatch", Action.REJECT, {"named": named, "unit": "THCS Thới Lai"}
    )


def test_unknown_sender_is_left_to_sender_rules(make_mail, make_case, policy) -> None:
    case = make_case(make_mail(from_="colan@gmail.com", subject="TH Thới Lai - Báo cáo"))
    assert case.sender_unit is None
    assert RULE.check(case, policy) is None


def test_ambiguous_name_is_fine_when_one_candidate_is_the_sender(make_mail, units, policy) -> None:
    a, b = units["TH-chauhunga"], units["TH-chauhungb"]
    parts = SubjectParts("TH Châu Hưng - Báo cáo", "TH Châu Hưng", "Báo cáo", (a, b), True)
    case = Case(mail=make_mail(from_="thchauhungb.binhdai@bentre.edu.vn"), sender_unit=b, subject=parts)
    assert RULE.check(case, policy) is None


def test_ambiguous_name_that_is_not_the_sender_lists_every_candidate(make_mail, units, policy) -> None:
    a, b, mine = units["TH-chauhunga"], units["TH-chauhungb"], units["THCS-chauhung"]
    parts = SubjectParts("TH Châu Hưng - Báo cáo", "TH Châu Hưng", "Báo cáo", (a, b), True)
    case = Case(mail=make_mail(from_="thcschauhung.binhdai@bentre.edu.vn"), sender_unit=mine, subject=parts)
    assert RULE.check(case, policy) == Reason(
        "subject-unit-mismatch", Action.REJECT, {"named": "TH Châu Hưng A, TH Châu Hưng B", "unit": "THCS Châu Hưng"}
    )
