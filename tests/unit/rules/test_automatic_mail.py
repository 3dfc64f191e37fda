"""automatic-mail: robots (auto-replies, bounces, lists, bulk mail) are recorded and never answered."""

from __future__ import annotations

import pytest

from mailbot.core.verdict import Action, Reason
from mailbot.rules.automatic_mail import AutomaticMail, robot_signal

RULE = AutomaticMail()


def test_id_and_codes() -> None:
    assert RULE.id == "automatic-mail"
    assert RULE.codes == ("automatic-mail",)


def test_a_school_report_is_not_automatic(make_mail, make_case, policy) -> None:
    assert RULE.check(make_case(make_mail()), policy) is None


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param([("Auto-Submitted", "no")], id="auto-submitted-no"),
        pytest.param([("Auto-Submitted", "No")], id="auto-submitted-No"),
        pytest.param([("Auto-Submitted", "")], id="auto-submitted-empty"),
        pytest.param([("X-Auto-Response-Suppress", "All")], id="outlook-suppress-alone"),
        pytest.param([("X-Auto-Response-Suppress", "DR, RN, NRN, OOF, AutoReply")], id="outlook-suppress-list"),
        pytest.param([("Precedence", "first-class")], id="precedence-other"),
        pytest.param([("Return-Path", "<thcsthoilai.binhdai@bentre.edu.vn>")], id="return-path-present"),
        pytest.param([("In-Reply-To", "<reminder@bentre.edu.vn>")], id="reply-from-a-person"),
    ],
)
def test_a_person_is_not_a_robot(make_mail, make_case, policy, headers) -> None:
    assert RULE.check(make_case(make_mail(headers=headers)), policy) is None


@pytest.mark.parametrize(
    ("from_", "headers", "content_type", "signal"),
    [
        (None, [("Auto-Submitted", "auto-replied")], None, "Auto-Submitted: auto-replied"),
        (None, [("Auto-Submitted", "Auto-Generated")], None, "Auto-Submitted: auto-generated"),
        (None, [("Auto-Submitted", "auto-notified")], None, "Auto-Submitted: auto-notified"),
        (None, [("Precedence", "bulk")], None, "Precedence: bulk"),
        (None, [("Precedence", "Junk")], None, "Precedence: junk"),
        (None, [("Precedence", "list")], None, "Precedence: list"),
        (None, [("Precedence", "auto_reply")], None, "Precedence: auto_reply"),
        (None, [("List-Id", "Giao vien <gv.bentre.edu.vn>")], None, "List-Id"),
        (None, [("List-Unsubscribe", "<mailto:leave@lists.example>")], None, "List-Unsubscribe"),
        (None, [("X-Autoreply", "yes")], None, "X-Autoreply"),
        (None, [("X-Autorespond", "yes")], None, "X-Autorespond"),
        (None, [("Return-Path", "<>")], None, "Return-Path: <>"),
        (None, [], 'multipart/report; report-type=delivery-status; boundary="R"', "Content-Type: multipart/report"),
        ("Mail Delivery System <MAILER-DAEMON@mail.bentre.edu.vn>", [], None, "From: mailer-daemon@mail.bentre.edu.vn"),
        ("postmaster@bentre.edu.vn", [], None, "From: postmaster@bentre.edu.vn"),
        ("Hệ thống <no-reply@csdl.bentre.edu.vn>", [], None, "From: no-reply@csdl.bentre.edu.vn"),
        ("noreply@moet.gov.vn", [], None, "From: noreply@moet.gov.vn"),
        # the first signal wins when there are several; X-Auto-Response-Suppress never counts
        (None, [("X-Auto-Response-Suppress", "All"), ("Auto-Submitted", "auto-replied"), ("Precedence", "bulk")], None,
         "Auto-Submitted: auto-replied"),
    ],
)
def test_robot_mail_is_ignored(make_mail, make_case, policy, from_, headers, content_type, signal) -> None:
    kwargs = {"headers": headers}
    if from_ is not None:
        kwargs["from_"] = from_
    if content_type is not None:
        kwargs["content_type"] = content_type
        kwargs["body"] = "--R\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--R--\r\n"
    case = make_case(make_mail(**kwargs))
    assert robot_signal(case) == signal
    assert RULE.check(case, policy) == Reason("automatic-mail", Action.IGNORE, {"signal": signal})


def test_robot_local_part_only_counts_for_a_single_sender(make_mail, make_case, policy) -> None:
    case = make_case(make_mail(from_="MAILER-DAEMON@bentre.edu.vn, thcsthoilai.binhdai@bentre.edu.vn"))
    assert RULE.check(case, policy) is None  # sender-missing speaks for it


def test_robot_local_part_must_be_the_whole_local_part(make_mail, make_case, policy) -> None:
    case = make_case(make_mail(from_="noreplyvn.thoilai@bentre.edu.vn"))
    assert RULE.check(case, policy) is None
