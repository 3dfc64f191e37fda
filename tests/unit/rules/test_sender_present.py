"""sender-missing: exactly one From address, or there is nobody to answer."""

from __future__ import annotations

import pytest

from mailbot.core.verdict import Action, Reason
from mailbot.rules.sender_present import SenderPresent

RULE = SenderPresent()


def test_id_and_codes() -> None:
    assert RULE.id == "sender-present"
    assert RULE.codes == ("sender-missing",)


@pytest.mark.parametrize(
    "from_", ["thcsthoilai.binhdai@bentre.edu.vn", "Cô Lan <colan@gmail.com>", "Nhóm: mot@bentre.edu.vn;"]
)
def test_one_sender(make_mail, make_case, policy, from_) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) is None


@pytest.mark.parametrize(
    ("from_", "count"),
    [
        (None, "0"),
        ("", "0"),
        ("undisclosed-recipients:;", "0"),
        ("THCS Thoi Lai", "0"),
        ("a@bentre.edu.vn, b@bentre.edu.vn", "2"),
        ("A <a@bentre.edu.vn>, B <b@gmail.com>, C <c@yahoo.com>", "3"),
    ],
)
def test_no_single_sender_is_ignored(make_mail, make_case, policy, from_, count) -> None:
    case = make_case(make_mail(from_=from_))
    assert RULE.check(case, policy) == Reason("sender-missing", Action.IGNORE, {"count": count})
