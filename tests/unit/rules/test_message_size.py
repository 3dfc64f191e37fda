"""message-too-large: a message over rules.max_message_mb is refused with the limit stated."""

from __future__ import annotations

import dataclasses

import pytest

from mailbot.core.verdict import Action, Reason
from mailbot.pipeline import judge
from mailbot.rules import Policy
from mailbot.rules.message_size import MessageSize
from mailbot.service.replies import explain

RULE = MessageSize()
MB = 1024 * 1024


def test_id_and_codes() -> None:
    assert RULE.id == "message-size"
    assert RULE.codes == ("message-too-large",)


def test_default_limit_is_25_mb(policy) -> None:
    assert policy.max_message_bytes == 25 * MB


@pytest.mark.parametrize("size", [0, 1, 12_600, 25 * MB - 1, 25 * MB])  # the limit itself is allowed
def test_within_the_limit(make_mail, make_case, policy, size) -> None:
    mail = dataclasses.replace(make_mail(), size=size)
    assert RULE.check(make_case(mail), policy) is None


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (25 * MB + 1, "25,0"),  # one byte over
        (int(31.5 * MB), "31,5"),
        (200 * MB, "200,0"),
    ],
)
def test_over_the_limit(make_mail, make_case, policy, size, shown) -> None:
    mail = dataclasses.replace(make_mail(), size=size)
    assert RULE.check(make_case(mail), policy) == Reason(
        "message-too-large", Action.REJECT, {"size": shown, "limit": "25,0"}
    )


def test_the_raw_message_size_counts(make_mail, make_case, policy) -> None:
    # the parser records the size of the raw bytes; a small limit makes a real message too large
    small = dataclasses.replace(policy, max_message_bytes=2 * 1024)
    mail = make_mail(body="Kính gửi Phòng GD&ĐT.\r\n" * 200)
    assert mail.size > 2 * 1024
    reason = RULE.check(make_case(mail), small)
    assert reason is not None and (reason.code, reason.action, reason.details["limit"]) == (
        "message-too-large", Action.REJECT, "0,0"
    )
    assert RULE.check(make_case(make_mail()), small) is None  # the plain test mail is far smaller


def test_judge_rejects_a_good_report_that_is_too_large(make_mail, registry) -> None:
    policy = Policy("bentre.edu.vn", frozenset({"pgdbinhdai@bentre.edu.vn"}), max_message_bytes=1 * MB)
    mail = dataclasses.replace(make_mail(), size=3 * MB)
    verdict, _ = judge(mail, registry, policy)
    assert verdict.action is Action.REJECT
    assert [r.code for r in verdict.reasons] == ["message-too-large"]
    # the rejection can be written: the code has its sentence in templates/reasons.toml
    assert explain(verdict.reasons[0].code, verdict.reasons[0].details)["text"] == (
        "Thư có dung lượng 3,0 MB, vượt quá giới hạn 1,0 MB của hộp thư nhận báo cáo."
    )
