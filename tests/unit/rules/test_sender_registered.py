"""sender-unknown / sender-not-reporting: the address belongs to a registered unit that reports to the office."""

from __future__ import annotations

import pytest

from mailbot.core.verdict import Action, Reason
from mailbot.rules.sender_registered import SenderRegistered

RULE = SenderRegistered()


def test_id_and_codes() -> None:
    assert RULE.id == "sender-registered"
    assert RULE.codes == ("sender-unknown", "sender-not-reporting")


@pytest.mark.parametrize(
    "from_",
    [
        "thcsthoilai.binhdai@bentre.edu.vn",
        "Trường THCS Thới Lai <THCSThoiLai.BinhDai@BenTre.edu.vn>",
        "mnhoamai.binhdai@bentre.edu.vn",
    ],
)
def test_registered_reporting_unit(make_mail, make_case, policy, from_) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) is None


@pytest.mark.parametrize(
    "address",
    [
        "nguyenvanan@bentre.edu.vn",  # a teacher's own address
        "c2thoilai.binhdai@bentre.edu.vn",  # look-alike of a registered address
        "thcsthoilai@bentre.edu.vn",
    ],
)
def test_unknown_address_on_the_domain(make_mail, make_case, policy, address) -> None:
    case = make_case(make_mail(from_=f"THCS Thới Lai <{address}>"))
    assert RULE.check(case, policy) == Reason("sender-unknown", Action.REJECT, {"address": address})


@pytest.mark.parametrize(
    ("address", "unit"),
    [
        ("thptlehoangchieu@bentre.edu.vn", "Trường Trung học phổ thông Lê Hoàng Chiếu"),
        ("ttgdnngdtx.binhdai@bentre.edu.vn", "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện Bình Đại"),
    ],
)
def test_registered_unit_that_does_not_report(make_mail, make_case, policy, address, unit) -> None:
    case = make_case(make_mail(from_=address))
    assert RULE.check(case, policy) == Reason("sender-not-reporting", Action.REJECT, {"unit": unit})


@pytest.mark.parametrize(
    "from_",
    [
        None,
        "thcsthoilai.binhdai@bentre.edu.vn, ththoilai.binhdai@bentre.edu.vn",
        "thcsthoilai.binhdai@gmail.com",  # sender-domain speaks for it
        "thcsthoilai.binhdai@bentre-edu.vn",
    ],
)
def test_left_to_other_rules(make_mail, make_case, policy, from_) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) is None
