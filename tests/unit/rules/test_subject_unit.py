"""subject-unit-unknown / subject-unit-mismatch / subject-two-units: the unit named in the subject is the
sender's own, and only one unit is named."""

from __future__ import annotations

import dataclasses

import pytest

from mailbot.core.subject import SubjectParts
from mailbot.core.verdict import Action, Reason
from mailbot.rules import Case, Policy
from mailbot.rules.subject_unit import SubjectUnit

RULE = SubjectUnit()
THCS_THOI_LAI = "thcsthoilai.binhdai@bentre.edu.vn"


def test_id_and_codes() -> None:
    assert RULE.id == "subject-unit"
    assert RULE.codes == ("subject-unit-unknown", "subject-unit-mismatch", "subject-two-units")


@pytest.mark.parametrize(
    "subject",
    [
        "THCS Thới Lai - Báo cáo tháng 10",
        "Trường THCS Thới Lai - Báo cáo tháng 10",
        "thcs thoi lai - bao cao thang 10",
        "C2 Thới Lai: Báo cáo tháng 10",
        "THCS Thới Lai Báo cáo tháng 10",
        "Báo cáo tháng 9 - THCS Thới Lai",  # reversed order: the unit is found after the content (borderline, accepted)
        "Báo cáo tháng 9 của Trường THCS Thới Lai",
        "THCS THỚI LAI - BÁO CÁO THÁNG 10",
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
        ("TH Châu Hưg - Báo cáo", "TH Châu Hưg"),  # S129: no fuzzy matching, a typo is an unknown unit
        ("MG TTBĐ - Báo cáo", "MG TTBĐ"),  # an alias that is not in the CSV
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


def test_ambiguous_name_is_fine_when_one_candidate_is_the_sender(make_mail, units, registry, policy) -> None:
    a, b = units["TH-chauhunga"], units["TH-chauhungb"]
    parts = SubjectParts("TH Châu Hưng - Báo cáo", "TH Châu Hưng", "Báo cáo", (a, b), True)
    case = Case(mail=make_mail(from_="thchauhungb.binhdai@bentre.edu.vn"), sender_unit=b, subject=parts, registry=registry)
    assert RULE.check(case, policy) is None


def test_ambiguous_name_that_is_not_the_sender_lists_every_candidate(make_mail, units, registry, policy) -> None:
    a, b, mine = units["TH-chauhunga"], units["TH-chauhungb"], units["THCS-chauhung"]
    parts = SubjectParts("TH Châu Hưng - Báo cáo", "TH Châu Hưng", "Báo cáo", (a, b), True)
    case = Case(mail=make_mail(from_="thcschauhung.binhdai@bentre.edu.vn"), sender_unit=mine, subject=parts, registry=registry)
    assert RULE.check(case, policy) == Reason(
        "subject-unit-mismatch", Action.REJECT, {"named": "TH Châu Hưng A, TH Châu Hưng B", "unit": "THCS Châu Hưng"}
    )


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("thchauhunga.binhdai@bentre.edu.vn", "TH Châu Hưng - Báo cáo tháng 10"),  # S125
        ("thchauhungb.binhdai@bentre.edu.vn", "th chau hung - bao cao thang 10"),  # N033, no accents
        ("thchauhunga.binhdai@bentre.edu.vn", "Trường TH Châu Hưng - Báo cáo tháng 10"),  # N034
    ],
)
def test_ambiguous_name_from_a_parsed_subject(make_mail, make_case, policy, sender, subject) -> None:
    case = make_case(make_mail(from_=sender, subject=subject))
    assert [u.unit_id for u in case.subject.units] == ["TH-chauhunga", "TH-chauhungb"]
    assert RULE.check(case, policy) is None


def test_ambiguous_name_from_another_school_is_a_mismatch(make_mail, make_case, policy) -> None:
    case = make_case(make_mail(from_="thcsthoilai.binhdai@bentre.edu.vn", subject="TH Châu Hưng - Báo cáo tháng 10"))
    assert RULE.check(case, policy) == Reason(
        "subject-unit-mismatch", Action.REJECT, {"named": "TH Châu Hưng A, TH Châu Hưng B", "unit": "THCS Thới Lai"}
    )


def test_mismatch_can_be_held_by_setting(make_mail, make_case, policy) -> None:
    held = dataclasses.replace(policy, unit_mismatch=Action.HOLD)
    case = make_case(make_mail(from_=THCS_THOI_LAI, subject="TH Thới Lai - Báo cáo tháng 10"))
    assert RULE.check(case, held) == Reason(
        "subject-unit-mismatch", Action.HOLD, {"named": "TH Thới Lai", "unit": "THCS Thới Lai"}
    )


def test_not_reporting_sender_naming_a_school_is_a_mismatch(make_mail, make_case, policy) -> None:
    # N162: the sender is a registered unit, even a non-reporting one
    case = make_case(make_mail(from_="thptlehoangchieu@bentre.edu.vn", subject="THCS Thới Lai - Báo cáo"))
    assert RULE.check(case, policy) == Reason(
        "subject-unit-mismatch", Action.REJECT, {"named": "THCS Thới Lai", "unit": "THPT Lê Hoàng Chiếu"}
    )


@pytest.mark.parametrize(
    "from_", ["pgdbinhdai@bentre.edu.vn", "PGDBINHDAI@BENTRE.EDU.VN"]  # N272: capital address too
)
def test_own_mail_is_never_a_mismatch(make_mail, make_case, policy, from_) -> None:
    case = make_case(make_mail(from_=from_, subject="Fwd: TH Phú Long - Báo cáo tháng 10"))
    assert RULE.check(case, policy) is None


# --- subject-two-units ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sender", "subject", "unit", "others"),
    [
        (THCS_THOI_LAI, "THCS Thới Lai và TH Thới Lai - Báo cáo tháng 10", "THCS Thới Lai", "TH Thới Lai"),
        (THCS_THOI_LAI, "THCS Thới Lai - Báo cáo chung với MG Thừa Đức", "THCS Thới Lai", "MG Thừa Đức"),
        # two units, neither the sender's: two-units, never a mismatch (mismatch is defined for one unit)
        (THCS_THOI_LAI, "TH Phú Long + MG Thừa Đức - Báo cáo", "TH Phú Long", "MG Thừa Đức"),
        ("colan@gmail.com", "THCS Thới Lai và TH Thới Lai - Báo cáo", "THCS Thới Lai", "TH Thới Lai"),  # N244 style
    ],
)
def test_two_units_are_held(make_mail, make_case, policy, sender, subject, unit, others) -> None:
    case = make_case(make_mail(from_=sender, subject=subject))
    assert RULE.check(case, policy) == Reason("subject-two-units", Action.HOLD, {"unit": unit, "others": others})


def test_two_units_can_be_rejected_by_setting(make_mail, make_case, policy) -> None:
    strict = Policy(policy.allowed_domain, policy.own_addresses, two_units=Action.REJECT)
    case = make_case(make_mail(from_=THCS_THOI_LAI, subject="THCS Thới Lai và TH Thới Lai - Báo cáo"))
    reason = RULE.check(case, strict)
    assert reason is not None and (reason.code, reason.action) == ("subject-two-units", Action.REJECT)


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("ththcstamhiep.binhdai@bentre.edu.vn", "TH Tam Hiệp và THCS Tam Hiệp - Báo cáo"),  # N090: aliases of one school
        (THCS_THOI_LAI, "THCS Thới Lai - Báo cáo tháng 10 - THCS Thới Lai"),  # the same unit twice
        (THCS_THOI_LAI, "THCS Thới Lai - Báo cáo gửi Phòng GD&ĐT Bình Đại"),  # N091: the office is the addressee
        (THCS_THOI_LAI, "THCS Thới Lai - Danh sách học sinh vào THPT Lê Hoàng Chiếu"),  # N092: not a reporting unit
    ],
)
def test_one_unit_named_twice_or_a_non_reporting_unit_is_not_two_units(make_mail, make_case, policy, sender, subject) -> None:
    assert RULE.check(make_case(make_mail(from_=sender, subject=subject)), policy) is None


def test_subject_rules_say_nothing_on_an_unreadable_subject(make_mail, make_case, policy) -> None:
    # subject-encoding speaks for it; nothing reliable can be said about "Th?i"
    case = make_case(make_mail(from_=THCS_THOI_LAI, subject="THCS Th?i Lai - B?o c?o th?ng 10"))
    assert RULE.check(case, policy) is None


@pytest.mark.parametrize(
    ("sender", "subject", "code"),
    [
        # a slip of the keyboard in the sender's own name: accepted
        ("thcsthoilai.binhdai@bentre.edu.vn", "THCS Thới Lia - Báo cáo tháng 10", None),
        ("thchauhunga.binhdai@bentre.edu.vn", "TH Châu Hưg A - BC tháng 2", None),
        # MN and MG are the same school level: "MG Hoa Mai" from MN Hoa Mai
        ("mnhoamai.binhdai@bentre.edu.vn", "MG Hoa Mai - Báo cáo tháng 10", None),
        # TH and THCS are different schools: never a typo
        ("thphuvang.binhdai@bentre.edu.vn", "THCS Phú Vang - Báo cáo tháng 10", "subject-unit-unknown"),
        # the name runs on: not a near miss
        ("thcsvangquoi.binhdai@bentre.edu.vn", "THCS Vang Quới Đông - Báo cáo tháng 10", "subject-unit-unknown"),
        # a near miss of ANOTHER school is never taken for the sender's
        ("ththoilai.binhdai@bentre.edu.vn", "THCS Thới Lia - Báo cáo tháng 10", "subject-unit-unknown"),
    ],
)
def test_typo_tolerance_only_for_the_senders_own_name(make_mail, make_case, policy, sender, subject, code) -> None:
    reason = SubjectUnit().check(make_case(make_mail(from_=sender, subject=subject)), policy)
    assert (reason.code if reason else None) == code
