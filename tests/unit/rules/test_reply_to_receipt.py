"""reply-to-receipt: a reply to one of our receipts is conversation, never answered; a reply to a rejection
is a corrected resend and is judged normally."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone

import pytest

from mailbot.core.verdict import Action, Reason, Verdict
from mailbot.pipeline import judge
from mailbot.service.replies import ReplyContext, compose
from mailbot.rules.reply_to_receipt import ReplyToReceipt

RULE = ReplyToReceipt()
IGNORED = Reason("reply-to-receipt", Action.IGNORE)
NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
CTX = ReplyContext("Phòng Giáo dục và Đào tạo huyện Bình Đại", "pgdbinhdai@bentre.edu.vn", "bentre.edu.vn", "Asia/Ho_Chi_Minh")
WHEN = datetime(2025, 10, 14, 1, 30, tzinfo=timezone.utc)


@pytest.fixture
def our_message_id(make_mail, registry, policy):
    """our_message_id("receipt" | "rejection"): the Message-ID of a reply the office really composed."""

    def build(kind: str) -> str:
        mail = make_mail()
        if kind == "receipt":
            verdict = Verdict(Action.ACCEPT, (), "THCS-thoilai")
        else:
            verdict = Verdict(Action.REJECT, (Reason("subject-format", Action.REJECT, {"subject": "x"}),), "THCS-thoilai")
        _, parts = judge(mail, registry, policy)
        reply = compose(CTX, mail, verdict, parts, registry.units["THCS-thoilai"], "PGD-2025-000042", WHEN, WHEN)
        assert reply is not None and reply.kind == kind
        return reply.message_id_header

    return build


def test_id_and_codes() -> None:
    assert RULE.id == "reply-to-receipt"
    assert RULE.codes == ("reply-to-receipt",)


@pytest.mark.parametrize(
    "subject",
    [
        "Re: [Đã nhận] THCS Thới Lai - Báo cáo tháng 10",  # S174
        "RE: RE: [Đã nhận] THCS Thới Lai - Báo cáo tháng 10",
        "Re[2]: [Đã nhận] THCS Thới Lai - Báo cáo tháng 10",
        "TL: [Đã nhận] THCS Thới Lai - Báo cáo tháng 10",
        "tl: [đã nhận] THCS Thới Lai - Báo cáo tháng 10",
        "Trả lời: [Đã nhận] THCS Thới Lai - Báo cáo tháng 10",
        "Tra loi: [Da nhan] THCS Thoi Lai - Bao cao thang 10",  # without diacritics (N103 style)
        "AW: [Đã nhận] THCS Thới Lai - Báo cáo",
        "SV: [Đã nhận] THCS Thới Lai - Báo cáo",
        "RE: [ĐÃ NHẬN] THCS THỚI LAI - BÁO CÁO",  # capitals
        NFD("Re: [Đã nhận] THCS Thới Lai - Báo cáo tháng 10"),  # NFD
        "Re:[Đã nhận]THCS Thới Lai - Báo cáo",  # no spaces
        "Re: [Đã nhận]",  # our tag and nothing else
    ],
)
def test_reply_to_our_receipt_is_ignored(make_mail, make_case, policy, subject) -> None:
    assert RULE.check(make_case(make_mail(subject=subject)), policy) == IGNORED


@pytest.mark.parametrize(
    "subject",
    [
        "Re: [Chưa hợp lệ] THCS Thới Lai - Báo cáo tháng 10",  # a corrected resend: judged normally
        "TL: [Chưa hợp lệ] THCS Thới Lai - Báo cáo tháng 10",
        "Fwd: [Đã nhận] THCS Thới Lai - Báo cáo tháng 10",  # N097: a forward of our receipt is judged normally
        "FW: [Đã nhận] THCS Thới Lai - Báo cáo tháng 10",
        "Re: THCS Thới Lai - Báo cáo tháng 10",
        "THCS Thới Lai - Báo cáo tháng 10",
        "THCS Thới Lai - Đã nhận được công văn 215",  # the words inside the content, not our tag
        "Ready: [Đã nhận] THCS Thới Lai",  # "Re" must be a whole prefix
        "",
    ],
)
def test_other_subjects_are_judged_normally(make_mail, make_case, policy, subject) -> None:
    assert RULE.check(make_case(make_mail(subject=subject)), policy) is None


def test_our_tag_without_its_brackets_is_not_our_receipt(make_mail, make_case, policy) -> None:
    # docs/rules.md and the table: our receipt tag is "[Đã nhận]"; a reply to some other mail that talks
    # about having received something is a school's mail and must not be silently dropped
    case = make_case(make_mail(subject="Re: Đã nhận báo cáo tháng 10 của các trường"))
    assert RULE.check(case, policy) is None


@pytest.mark.parametrize("header", ["In-Reply-To", "References"])
def test_threading_headers_naming_our_receipt(make_mail, make_case, policy, our_message_id, header) -> None:
    value = our_message_id("receipt")
    if header == "References":
        value = f"<bc-10@bentre.edu.vn> {value}"
    # a thank-you with its own subject is still conversation
    case = make_case(make_mail(subject="Cảm ơn Phòng", headers=[(header, value)]))
    assert RULE.check(case, policy) == IGNORED


@pytest.mark.parametrize(
    "value",
    [
        "<bc-10@bentre.edu.vn>",  # the school's own earlier mail
        "<1757.1.2.PGD-2025-000042@gmail.com>",  # looks like ours, but not from our domain
        "<CAF=abc@mail.gmail.com>",
    ],
)
def test_threading_headers_naming_other_mail(make_mail, make_case, policy, value) -> None:
    case = make_case(make_mail(subject="Re: THCS Thới Lai - Báo cáo tháng 10", headers=[("In-Reply-To", value)]))
    assert RULE.check(case, policy) is None


def test_reply_to_our_rejection_keeping_its_subject_is_judged_normally(make_mail, make_case, policy, our_message_id) -> None:
    headers = [("In-Reply-To", our_message_id("rejection"))]
    case = make_case(make_mail(subject="Re: [Chưa hợp lệ] THCS Thới Lai - Báo cáo tháng 10", headers=headers))
    assert RULE.check(case, policy) is None


@pytest.mark.parametrize(
    "subject",
    [
        "THCS Thới Lai - Báo cáo tháng 10",  # the school fixed the subject, as the rejection asked
        "RE: RE: [Chưa hợp lệ] THCS Thới Lai - Báo cáo tháng 10",
        "Trả lời: [Chưa hợp lệ] THCS Thới Lai - Báo cáo tháng 10",
        "AW: [Chưa hợp lệ] THCS Thới Lai - Báo cáo tháng 10",
    ],
)
def test_any_reply_to_our_rejection_is_a_resend(make_mail, make_case, policy, our_message_id, subject) -> None:
    # docs/rules.md: only a reply naming one of our *receipt* Message-IDs is conversation; a reply to a
    # rejection is a corrected resend and is judged normally, whatever its subject now says
    case = make_case(make_mail(subject=subject, headers=[("In-Reply-To", our_message_id("rejection"))]))
    assert RULE.check(case, policy) is None


def test_judge_ignores_the_reply_whatever_else_is_wrong(make_mail, registry, policy) -> None:
    mail = make_mail(from_="colan@gmail.com", subject="Re: [Đã nhận] Báo cáo tháng 10")
    verdict, _ = judge(mail, registry, policy)
    assert verdict.action is Action.IGNORE
    assert [r.code for r in verdict.reasons][:1] == ["reply-to-receipt"]
