"""sender-lookalike: an address with look-alike letters (Cyrillic, Greek, fullwidth ＠, punycode, any non-ASCII)
is refused, naming the registered address it imitates, and never answered."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from mailbot.core.mail import Address
from mailbot.core.verdict import Action, Reason
from mailbot.pipeline import judge
from mailbot.rules.sender_lookalike import SenderLookalike

RULE = SenderLookalike()
NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
FALLBACK = "một địa chỉ @bentre.edu.vn"


def test_id_and_codes() -> None:
    assert RULE.id == "sender-lookalike"
    assert RULE.codes == ("sender-lookalike",)


@pytest.mark.parametrize(
    "from_",
    [
        "thcsthoilai.binhdai@bentre.edu.vn",
        "THCSThoiLai.BinhDai@BenTre.EDU.VN",  # capitals are not look-alikes
        "Trường THCS Thới Lai <thcsthoilai.binhdai@bentre.edu.vn>",  # Vietnamese in the display name only
        "colan@gmail.com",  # sender-domain's business
        "thphulong.binhdai@bentre-edu.vn",  # an ASCII look-alike domain: sender-domain's business
        "nguyenvanan@bentre.edu.vn",  # sender-unknown's business
        "xn--abc@gmail.com",  # "xn--" in the local part is no punycode label
    ],
)
def test_plain_ascii_addresses_are_left_to_the_other_rules(make_mail, make_case, policy, from_) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) is None


@pytest.mark.parametrize("from_", [None, "a@bentr\u0435.edu.vn, b@bentr\u0435.edu.vn"])
def test_no_single_sender_is_left_to_sender_missing(make_mail, make_case, policy, from_) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) is None


@pytest.mark.parametrize(
    ("from_", "address", "resembles"),
    [
        pytest.param("thphulong.binhdai@bentr\u0435.edu.vn", "thphulong.binhdai@bentr\u0435.edu.vn",
                     "thphulong.binhdai@bentre.edu.vn", id="cyrillic-e-in-the-domain"),
        pytest.param("TH Lộc Thuận <thlocthu\u0430n.binhdai@bentre.edu.vn>", "thlocthu\u0430n.binhdai@bentre.edu.vn",
                     "thlocthuan.binhdai@bentre.edu.vn", id="N168-cyrillic-a-in-the-local-part"),
        pytest.param("thcsth\u03bfilai.binhdai@bentre.edu.vn", "thcsth\u03bfilai.binhdai@bentre.edu.vn",
                     "thcsthoilai.binhdai@bentre.edu.vn", id="greek-omicron"),
        pytest.param("thcsthoilai.binhdai\uff20bentre.edu.vn", "thcsthoilai.binhdai\uff20bentre.edu.vn",
                     "thcsthoilai.binhdai@bentre.edu.vn", id="fullwidth-at"),
        pytest.param("thcsthoilai.binhdai@bentre\uff0eedu\uff0evn", "thcsthoilai.binhdai@bentre\uff0eedu\uff0evn",
                     "thcsthoilai.binhdai@bentre.edu.vn", id="fullwidth-full-stop"),
        pytest.param("Phòng GD&ĐT Bình Đại <pgdbinhdai@xn--bentr-3we.edu.vn>", "pgdbinhdai@xn--bentr-3we.edu.vn",
                     "pgdbinhdai@bentre.edu.vn", id="N173-punycode-office"),
        pytest.param("THCSThoiLai.BinhDai@BENTR\u0415.EDU.VN", "thcsthoilai.binhdai@bentr\u0435.edu.vn",
                     "thcsthoilai.binhdai@bentre.edu.vn", id="capitals-with-a-cyrillic-capital"),
        pytest.param("thcsthớilai.binhdai@bentre.edu.vn", "thcsthớilai.binhdai@bentre.edu.vn",
                     "thcsthoilai.binhdai@bentre.edu.vn", id="N170-vietnamese-letter"),
        pytest.param(NFD("thcsthớilai.binhdai@bentre.edu.vn"), "thcsthớilai.binhdai@bentre.edu.vn",
                     "thcsthoilai.binhdai@bentre.edu.vn", id="nfd-is-composed-first"),
        pytest.param("pgdbinh\u0434\u0430\u0439@bentre.edu.vn", "pgdbinh\u0434\u0430\u0439@bentre.edu.vn",
                     "pgdbinhdai@bentre.edu.vn", id="S171-office-address-as-printed"),
        pytest.param("\u0438\u0432\u0430\u043d@\u043f\u043e\u0447\u0442\u0430.\u0440\u0444",
                     "\u0438\u0432\u0430\u043d@\u043f\u043e\u0447\u0442\u0430.\u0440\u0444", FALLBACK,
                     id="imitates-nothing-registered"),
    ],
)
def test_lookalike_address_is_rejected_naming_what_it_imitates(make_mail, make_case, policy, from_, address, resembles) -> None:
    case = make_case(make_mail(from_=from_))
    assert case.mail.sender is not None and case.mail.sender.address == address
    assert RULE.check(case, policy) == Reason(
        "sender-lookalike", Action.REJECT, {"address": address, "resembles": resembles}
    )


def test_punycode_label_in_any_case(make_mail, make_case, policy) -> None:
    mail = dataclasses.replace(make_mail(), from_addresses=(Address("", "pgdbinhdai@mail.XN--BENTR-3WE.edu.vn"),))
    reason = RULE.check(make_case(mail), policy)
    assert reason is not None and reason.code == "sender-lookalike"


@pytest.mark.parametrize(
    ("from_", "codes"),
    [
        # replaces sender-domain / sender-unknown, so the school is told one clear thing
        ("thphulong.binhdai@bentr\u0435.edu.vn", ["sender-lookalike"]),
        ("thlocthu\u0430n.binhdai@bentre.edu.vn", ["sender-lookalike"]),
        # N164: the display name claims the school the address imitates
        ("Trường THCS Thới Lai <thcsthoilai.binhdai@b\u0435ntre.edu.vn>", ["sender-lookalike", "sender-display-name"]),
        ("Phòng GD&ĐT Bình Đại <pgdbinhdai@xn--bentr-3we.edu.vn>", ["sender-lookalike", "sender-display-name"]),
    ],
)
def test_judge_gives_sender_lookalike_instead_of_the_other_sender_codes(make_mail, registry, policy, from_, codes) -> None:
    verdict, _ = judge(make_mail(from_=from_, subject="THCS Thới Lai - Báo cáo tháng 10"), registry, policy)
    assert [r.code for r in verdict.reasons] == codes
    assert verdict.action is Action.REJECT
    assert verdict.unit_id is None  # a look-alike is never a registered unit


def test_lookalike_of_the_office_is_not_own_mail(make_mail, registry, policy) -> None:
    # the office's own address with a fullwidth ＠ must not be ignored as our own mail
    verdict, _ = judge(make_mail(from_="pgdbinhdai\uff20bentre.edu.vn"), registry, policy)
    assert [r.code for r in verdict.reasons] == ["sender-lookalike"]
    assert verdict.action is Action.REJECT
