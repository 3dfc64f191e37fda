"""mailbot.pipeline.judge collects every reason and decides once; mailbot.core.verdict.decide picks the action."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mailbot.core.verdict import Action, Reason, Status, Verdict, decide
from mailbot.pipeline import judge
from mailbot.rules import ALL_RULES, Case, Policy

IGNORE = Reason("x-ignore", Action.IGNORE)
HOLD = Reason("x-hold", Action.HOLD)
REJECT = Reason("x-reject", Action.REJECT)
REJECT_2 = Reason("x-reject-2", Action.REJECT)
ACCEPT = Reason("x-note", Action.ACCEPT)


# --- decide ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reasons", "action"),
    [
        ((), Action.ACCEPT),
        ((ACCEPT,), Action.ACCEPT),
        ((REJECT,), Action.REJECT),
        ((REJECT, REJECT_2), Action.REJECT),
        ((ACCEPT, REJECT), Action.REJECT),
        ((IGNORE,), Action.IGNORE),
        ((REJECT, IGNORE), Action.IGNORE),
        ((IGNORE, REJECT), Action.IGNORE),
        ((ACCEPT, REJECT, IGNORE, REJECT_2), Action.IGNORE),
        ((HOLD,), Action.HOLD),
        ((REJECT, HOLD), Action.HOLD),  # a person looks before any rejection goes out
        ((HOLD, REJECT, ACCEPT), Action.HOLD),
        ((HOLD, IGNORE), Action.IGNORE),
        ((REJECT, HOLD, IGNORE, REJECT_2), Action.IGNORE),
    ],
)
def test_decide_ignore_beats_hold_beats_reject_beats_accept(reasons: tuple[Reason, ...], action: Action) -> None:
    assert decide(reasons) is action


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (Action.ACCEPT, Status.ACCEPTED),
        (Action.REJECT, Status.REJECTED),
        (Action.HOLD, Status.HELD),
        (Action.IGNORE, Status.IGNORED),
    ],
)
def test_verdict_status(action: Action, status: Status) -> None:
    assert Verdict(action, (), None).status is status


# --- judge with stand-in rules ---------------------------------------------------------------------
@dataclass
class Fixed:
    """A rule that always gives the same answer and counts its calls."""

    reason: Reason | None
    id: str = "fixed"
    description: str = "test rule"
    codes: tuple[str, ...] = ()
    calls: int = 0

    def check(self, case: Case, policy: Policy) -> Reason | None:
        self.calls += 1
        return self.reason


def test_judge_runs_every_rule_and_keeps_every_reason_in_order(make_mail, registry, policy) -> None:
    rules = [Fixed(REJECT), Fixed(None), Fixed(IGNORE), Fixed(REJECT_2)]
    verdict, _ = judge(make_mail(), registry, policy, rules)
    assert [r.calls for r in rules] == [1, 1, 1, 1]  # an early IGNORE does not stop the chain
    assert verdict.reasons == (REJECT, IGNORE, REJECT_2)
    assert verdict.action is Action.IGNORE


def test_judge_without_reasons_accepts(make_mail, registry, policy) -> None:
    verdict, parts = judge(make_mail(), registry, policy, [Fixed(None)])
    assert verdict == Verdict(Action.ACCEPT, (), "THCS-thoilai")
    assert [u.unit_id for u in parts.units] == ["THCS-thoilai"]


def test_judge_gives_rules_the_sender_unit_and_the_parsed_subject(make_mail, registry, policy) -> None:
    seen: list[Case] = []

    class Spy:
        id = "spy"
        description = "records the case"
        codes = ()

        def check(self, case: Case, policy: Policy) -> Reason | None:
            seen.append(case)
            return None

    mail = make_mail(from_="THCSThoiLai.BinhDai@BenTre.edu.vn", subject="Re: THCS Thới Lai – Báo cáo tháng 10")
    judge(mail, registry, policy, [Spy()])
    (case,) = seen
    assert case.mail is mail
    assert case.sender_unit is not None and case.sender_unit.unit_id == "THCS-thoilai"
    assert (case.subject.unit_text, case.subject.content) == ("THCS Thới Lai", "Báo cáo tháng 10")
    assert case.registry is registry
    assert case.subject_repair is not None and case.subject_repair.kind == "none"


def test_judge_parses_the_repaired_subject_but_keeps_the_mail_as_sent(make_mail, registry, policy) -> None:
    seen: list[Case] = []

    class Spy:
        id = "spy"
        description = "records the case"
        codes = ()

        def check(self, case: Case, policy: Policy) -> Reason | None:
            seen.append(case)
            return None

    tcvn3 = "THCS Th\u00de tr\u00can - B\u00b8o c\u00b8o th\u00b8ng 10"  # N122: "THCS ThÞ trÊn - B¸o c¸o th¸ng 10"
    verdict, parts = judge(make_mail(from_="thcsthitran.binhdai@bentre.edu.vn", subject=tcvn3), registry, policy, [Spy()])
    (case,) = seen
    assert case.mail.subject == tcvn3
    assert case.subject_repair is not None and (case.subject_repair.kind, case.subject_repair.confident) == ("tcvn3", True)
    assert case.subject_repair.text == "THCS Thị trấn - Báo cáo tháng 10"
    assert [u.unit_id for u in parts.units] == ["THCS-thitran"] and parts.content == "Báo cáo tháng 10"
    assert verdict.action is Action.ACCEPT


# --- judge with the real chain ---------------------------------------------------------------------
def test_all_rules_order() -> None:
    # docs/rules.md, in this order
    assert [type(r).__name__ for r in ALL_RULES] == [
        "AutomaticMail", "OwnMail", "ReplyToReceipt", "SenderPresent", "SenderLookalike", "SenderDomain",
        "SenderRegistered", "SenderAuthenticated", "DisplayName", "MessageSize", "SubjectEncoding", "SubjectFormat", "SubjectUnit",
        "Attachments",
    ]
    assert [r.id for r in ALL_RULES] == [
        "automatic-mail", "own-mail", "reply-to-receipt", "sender-present", "sender-lookalike", "sender-domain",
        "sender-registered", "sender-authenticated", "display-name", "message-size", "subject-encoding", "subject-format", "subject-unit",
        "attachments",
    ]


@pytest.mark.parametrize(
    ("from_", "subject", "headers", "action", "codes", "unit_id"),
    [
        pytest.param("thcsthoilai.binhdai@bentre.edu.vn", "THCS Thới Lai - Báo cáo tháng 10", [],
                     Action.ACCEPT, [], "THCS-thoilai", id="accepted"),
        pytest.param("Cô Lan - TH Thới Lai <colan.ththoilai@gmail.com>", "TH Thới Lai - Báo cáo tháng 10", [],
                     Action.REJECT, ["sender-domain", "sender-display-name"], None, id="gmail"),
        pytest.param("colan@gmail.com", "Báo cáo tháng 10", [],
                     Action.REJECT, ["sender-domain", "subject-format"], None, id="gmail-and-no-unit"),
        pytest.param("nguyenvanan@bentre.edu.vn", "THCS Châu Hưng - Báo cáo", [],
                     Action.REJECT, ["sender-unknown"], None, id="unregistered"),
        pytest.param("thptlehoangchieu@bentre.edu.vn", "THPT Lê Hoàng Chiếu - Báo cáo", [],
                     Action.REJECT, ["sender-not-reporting"], "THPT-lehoangchieu", id="not-reporting"),
        pytest.param("ththoilai.binhdai@bentre.edu.vn", "THCS Thới Lai - Báo cáo", [],
                     Action.REJECT, ["subject-unit-mismatch"], "TH-thoilai", id="mismatch"),
        pytest.param("ththoilai.binhdai@bentre.edu.vn", "Trường ABC - Báo cáo", [],
                     Action.REJECT, ["subject-unit-unknown"], "TH-thoilai", id="unknown-unit"),
        pytest.param("ththoilai.binhdai@bentre.edu.vn", "TH Thới Lai", [],
                     Action.REJECT, ["subject-no-content"], "TH-thoilai", id="no-content"),
        pytest.param("ththoilai.binhdai@bentre.edu.vn", None, [],
                     Action.REJECT, ["subject-missing"], "TH-thoilai", id="no-subject"),
        pytest.param("thcslongdinh.binhdai@bentre.edu.vn", "Trả lời tự động: Phòng GD&ĐT Bình Đại - Nhắc báo cáo",
                     [("Auto-Submitted", "auto-replied")],
                     # "Trả lời tự động" is not unit-like and the office in the content is no named unit (N185)
                     Action.IGNORE, ["automatic-mail", "subject-format"], "THCS-longdinh", id="out-of-office"),
        pytest.param("MAILER-DAEMON@mail.bentre.edu.vn", "Undelivered Mail Returned to Sender", [("Return-Path", "<>")],
                     Action.IGNORE, ["automatic-mail", "sender-domain", "subject-format"], None, id="bounce"),
        pytest.param("pgdbinhdai@bentre.edu.vn", "Phòng GD&ĐT Bình Đại - Nhắc báo cáo tháng 10", [],
                     # own-mail speaks for the office: no sender-not-reporting (table policy, N271)
                     Action.IGNORE, ["own-mail"], "PGD", id="own-mail"),
        pytest.param("a@bentre.edu.vn, b@bentre.edu.vn", "THCS Thới Lai - Báo cáo", [],
                     Action.IGNORE, ["sender-missing"], None, id="two-senders"),
        pytest.param("thcsthoilai.binhdai@bentre.edu.vn", "Re: [Đã nhận] THCS Thới Lai - Báo cáo tháng 10", [],
                     Action.IGNORE, ["reply-to-receipt"], "THCS-thoilai", id="reply-to-receipt"),
        pytest.param("Trường THCS Thới Lai <thcsthoilai.binhdai@bentr\u0435.edu.vn>", "THCS Thới Lai - Báo cáo", [],
                     Action.REJECT, ["sender-lookalike", "sender-display-name"], None, id="look-alike"),
        pytest.param("THCS Thới L\u0430i <thcsthoilai.binhdai@bentre.edu.vn>", "THCS Thới Lai - Báo cáo", [],
                     Action.HOLD, ["sender-name-lookalike"], "THCS-thoilai", id="display-name-look-alike"),
        pytest.param("thcsthoilai.binhdai@bentre.edu.vn", "THCS Thới Lai và TH Thới Lai - Báo cáo", [],
                     Action.HOLD, ["subject-two-units"], "THCS-thoilai", id="two-units"),
        pytest.param("colan@gmail.com", "THCS Thới Lai và TH Thới Lai - Báo cáo", [],
                     Action.HOLD, ["sender-domain", "subject-two-units"], None, id="hold-beats-reject"),
        pytest.param("thcsthoilai.binhdai@bentre.edu.vn", "THCS Th?i Lai - B?o c?o th?ng 10", [],
                     Action.REJECT, ["subject-unreadable"], "THCS-thoilai", id="unreadable"),
        pytest.param("thcsthitran.binhdai@bentre.edu.vn", "THCS Th\u00de tr\u00can - B\u00b8o c\u00b8o th\u00b8ng 10", [],
                     Action.ACCEPT, [], "THCS-thitran", id="tcvn3-repaired"),
        pytest.param("thcsthitran.binhdai@bentre.edu.vn", "B\u00b8o c\u00b8o th\u00b8ng 10", [],
                     Action.HOLD, ["subject-legacy-encoding"], "THCS-thitran", id="tcvn3-without-unit"),
    ],
)
def test_judge_with_all_rules(make_mail, registry, policy, from_, subject, headers, action, codes, unit_id) -> None:
    verdict, _ = judge(make_mail(from_=from_, subject=subject, headers=headers), registry, policy)
    assert [r.code for r in verdict.reasons] == codes
    assert verdict.action is action
    assert verdict.unit_id == unit_id
