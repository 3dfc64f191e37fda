"""sender-domain: reports come only from an address on the allowed domain, never a personal mailbox."""

from __future__ import annotations

import dataclasses

import pytest

from mailbot.core.mail import Address
from mailbot.core.verdict import Action, Reason
from mailbot.rules import Policy
from mailbot.rules.sender_domain import SenderDomain
from mailbot.rules.sender_lookalike import SenderLookalike

RULE = SenderDomain()


def test_id_and_codes() -> None:
    assert RULE.id == "sender-domain"
    assert RULE.codes == ("sender-domain",)


@pytest.mark.parametrize(
    "from_",
    [
        "thcsthoilai.binhdai@bentre.edu.vn",
        "THCSThoiLai.BinhDai@BenTre.EDU.VN",  # upper-case sender address
        "nguyenvanan@bentre.edu.vn",  # unregistered, but on the domain: sender-unknown's business
    ],
)
def test_allowed_domain(make_mail, make_case, policy, from_) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) is None


def test_policy_domain_case_does_not_matter(make_mail, make_case) -> None:
    policy = Policy("BenTre.EDU.vn", frozenset({"pgdbinhdai@bentre.edu.vn"}))
    assert RULE.check(make_case(make_mail()), policy) is None


@pytest.mark.parametrize(
    ("from_", "address"),
    [
        # a display name that claims a school does not make a Gmail address official
        ("Trường THCS Thới Lai <thcsthoilai.binhdai@gmail.com>", "thcsthoilai.binhdai@gmail.com"),
        ("Cô Lan - TH Thới Lai <CoLan.THThoiLai@Gmail.com>", "colan.ththoilai@gmail.com"),
        ("THCS Thới Lai <thoilai.report@yahoo.com.vn>", "thoilai.report@yahoo.com.vn"),
        ("thphulong.binhdai@bentre-edu.vn", "thphulong.binhdai@bentre-edu.vn"),
        ("thphulong.binhdai@bentre.edu.vn.example.net", "thphulong.binhdai@bentre.edu.vn.example.net"),
        ("hocsinh@thptphanliem.bentre.edu.vn", "hocsinh@thptphanliem.bentre.edu.vn"),  # a sub-domain is another domain
        ('"thcsthoilai.binhdai@bentre.edu.vn" <x@gmail.com>', "x@gmail.com"),
    ],
)
def test_other_domains_are_rejected(make_mail, make_case, policy, from_, address) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) == Reason(
        "sender-domain", Action.REJECT, {"address": address, "domain": "bentre.edu.vn"}
    )


@pytest.mark.parametrize(
    "look_alike",
    [
        pytest.param("thphulong.binhdai@bentr\u0435.edu.vn", id="cyrillic-e-in-domain"),
        pytest.param("thlocthu\u0430n.binhdai@bentre.edu.vn", id="cyrillic-a-in-local-part"),
        pytest.param("thcsthoilai.binhdai\uff20bentre.edu.vn", id="fullwidth-at"),
        pytest.param("pgdbinhdai@xn--bentr-3we.edu.vn", id="punycode"),
        pytest.param("thcsth\u1edbilai.binhdai@bentre.edu.vn", id="vietnamese-letter"),
    ],
)
def test_look_alike_address_is_left_to_sender_lookalike(make_mail, make_case, policy, look_alike) -> None:
    # docs/rules.md: sender-lookalike replaces sender-domain for such addresses (one reason, naming the imitated one)
    mail = dataclasses.replace(make_mail(), from_addresses=(Address("TH Phú Long", look_alike),))
    case = make_case(mail)
    assert RULE.check(case, policy) is None
    reason = SenderLookalike().check(case, policy)
    assert reason is not None and (reason.code, reason.action) == ("sender-lookalike", Action.REJECT)


@pytest.mark.parametrize("from_", [None, "a@gmail.com, b@gmail.com"])
def test_no_single_sender_is_left_to_sender_missing(make_mail, make_case, policy, from_) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) is None
