"""subject-missing / subject-format / subject-no-content: the subject reads "Tên đơn vị - nội dung"."""

from __future__ import annotations

import pytest

from mailbot.core.verdict import Action, Reason
from mailbot.rules.subject_format import SubjectFormat

RULE = SubjectFormat()


def test_id_and_codes() -> None:
    assert RULE.id == "subject-format"
    assert RULE.codes == ("subject-missing", "subject-format", "subject-no-content")


@pytest.mark.parametrize(
    "subject",
    [
        "THCS Thới Lai - Báo cáo tháng 10/2022",
        "Re: THCS Thới Lai – Báo cáo tháng 10/2022",
        "THCS Thới Lai Báo cáo tháng 10",  # missing separator: lenient on formatting
        "Trường ABC - Báo cáo",  # an unknown unit is subject-unit's business
        "TH Thới Lai - Báo cáo",  # so is somebody else's unit
    ],
)
def test_well_formed(make_mail, make_case, policy, subject) -> None:
    assert RULE.check(make_case(make_mail(subject=subject)), policy) is None


@pytest.mark.parametrize("subject", [None, "", "   ", "Re:", "RE: Fwd: [Báo cáo]", "\u200b"])
def test_missing_subject(make_mail, make_case, policy, subject) -> None:
    assert RULE.check(make_case(make_mail(subject=subject)), policy) == Reason("subject-missing", Action.REJECT)


@pytest.mark.parametrize(
    ("subject", "cleaned"),
    [
        ("Báo cáo tháng 10", "Báo cáo tháng 10"),
        ("Re: [BC] Báo cáo tháng 10", "Báo cáo tháng 10"),
        ("- Báo cáo tháng 10", "- Báo cáo tháng 10"),
        ("Trường ABC Báo cáo", "Trường ABC Báo cáo"),
    ],
)
def test_no_unit_before_the_content(make_mail, make_case, policy, subject, cleaned) -> None:
    assert RULE.check(make_case(make_mail(subject=subject)), policy) == Reason(
        "subject-format", Action.REJECT, {"subject": cleaned}
    )


@pytest.mark.parametrize(
    ("subject", "cleaned"),
    [
        ("THCS Thới Lai", "THCS Thới Lai"),
        ("THCS Thới Lai - ", "THCS Thới Lai -"),
        ("Fwd: Trường THCS Thới Lai", "Trường THCS Thới Lai"),
    ],
)
def test_unit_without_content(make_mail, make_case, policy, subject, cleaned) -> None:
    assert RULE.check(make_case(make_mail(subject=subject)), policy) == Reason(
        "subject-no-content", Action.REJECT, {"subject": cleaned}
    )
