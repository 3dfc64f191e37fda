"""own-mail: mail from the office's own addresses is recorded and never answered (no reply loops)."""

from __future__ import annotations

import pytest

from mailbot.core.verdict import Action, Reason
from mailbot.rules import Policy
from mailbot.rules.own_mail import OwnMail

RULE = OwnMail()


def test_id_and_codes() -> None:
    assert RULE.id == "own-mail"
    assert RULE.codes == ("own-mail",)


def test_a_school_is_not_the_office(make_mail, make_case, policy) -> None:
    assert RULE.check(make_case(make_mail()), policy) is None


@pytest.mark.parametrize(
    "from_",
    [
        "pgdbinhdai@bentre.edu.vn",
        "Phòng GD&ĐT Bình Đại <PGDBinhDai@BenTre.edu.vn>",  # upper case is the same mailbox
        "pgdbinhdai@bentre.edu.vn, thcsthoilai.binhdai@bentre.edu.vn",  # among several senders
    ],
)
def test_the_office_mailbox_is_ignored(make_mail, make_case, policy, from_) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) == Reason("own-mail", Action.IGNORE)


def test_the_reply_from_address_is_ours_too(make_mail, make_case) -> None:
    policy = Policy("bentre.edu.vn", frozenset({"pgdbinhdai@bentre.edu.vn", "baocao-noreply@bentre.edu.vn"}))
    case = make_case(make_mail(from_="Hộp thư báo cáo <baocao-noreply@bentre.edu.vn>"))
    assert RULE.check(case, policy) == Reason("own-mail", Action.IGNORE)


@pytest.mark.parametrize(
    "from_",
    [
        "Phòng GD&ĐT Bình Đại <pgdbinhdai@gmail.com>",  # a display name is not an address
        "pgdbinhdai.binhdai@bentre.edu.vn",
        "pgdbinhdai@bentre-edu.vn",
    ],
)
def test_only_the_exact_address_counts(make_mail, make_case, policy, from_) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) is None
