"""display-name: a display name with look-alike letters is held for a person; a display name that claims a
school (or the office) from an address that is not registered is called out in the rejection."""

from __future__ import annotations

import unicodedata

import pytest

from mailbot.core.verdict import Action, Reason
from mailbot.pipeline import judge
from mailbot.rules.display_name import DisplayName

RULE = DisplayName()
NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
THCS = "thcsthoilai.binhdai@bentre.edu.vn"
CYR_A = "\u0430"  # Cyrillic а


def test_id_and_codes() -> None:
    assert RULE.id == "display-name"
    assert RULE.codes == ("sender-name-lookalike", "sender-display-name")


@pytest.mark.parametrize(
    "from_",
    [
        THCS,  # no display name
        f"Trường THCS Thới Lai <{THCS}>",
        f"THCS THỚI LAI <{THCS}>",
        f"{NFD('Trường THCS Thới Lai')} <{THCS}>",
        f"Văn thư <{THCS}>",
        f"Kế toán THCS Thới Lai <{THCS}>",
        f"THCS Thới Lai 🌸 <{THCS}>",  # an emoji is no letter of another script
        # "a registered school whose display name is odd is still that school" (N099, N226, N215)
        "THCS Thới Lai <ththoilai.binhdai@bentre.edu.vn>",
        "Trường TH Ðịnh Trung <thdinhtrung.binhdai@bentre.edu.vn>",  # N102: eth is Latin, read as Đ
        "Nguyễn Văn An <nguyenvanan@gmail.com>",  # a person's name claims no school
        "Cô Lan <colan@gmail.com>",
        "Báo cáo tháng 10 <colan@gmail.com>",
        "Иван Петров <ivan@gmail.com>",  # one script, even if not Latin, and no unit named
    ],
)
def test_nothing_to_say(make_mail, make_case, policy, from_) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) is None


@pytest.mark.parametrize(
    ("from_", "name"),
    [
        pytest.param(f"THCS Thới L{CYR_A}i <{THCS}>", f"THCS Thới L{CYR_A}i", id="N255-cyrillic-a"),
        pytest.param("Trường MG \u0422hừa Đức <mgthuaduc.binhdai@bentre.edu.vn>", "Trường MG \u0422hừa Đức",
                     id="N256-cyrillic-capital-t"),
        pytest.param("\u0422\u041d Phú Vang <thphuvang.binhdai@bentre.edu.vn>", "\u0422\u041d Phú Vang", id="N257"),
        pytest.param("\u03a4\u0397 Long Hòa <thlonghoa.binhdai@bentre.edu.vn>", "\u03a4\u0397 Long Hòa", id="N258-greek"),
        pytest.param("Phòng GD&ĐT Bình Đạ\u0456 <mnhoamai.binhdai@bentre.edu.vn>", "Phòng GD&ĐT Bình Đạ\u0456",
                     id="N260-imitates-the-office"),
        pytest.param(f"THCS THỚI L{CYR_A.upper()}I <{THCS}>", f"THCS THỚI L{CYR_A.upper()}I", id="capitals"),
        pytest.param(f"{NFD('Văn thư')} \u041cN Lộc Thuận <mnlocthuan.binhdai@bentre.edu.vn>", "Văn thư \u041cN Lộc Thuận",
                     id="nfd-and-cyrillic-m"),
        pytest.param(f"ＴＨＣＳ Thới Lai <{THCS}>", "ＴＨＣＳ Thới Lai", id="fullwidth"),
        # docs/rules.md: "held for a person, whatever the address"
        pytest.param(f"THCS Thới L{CYR_A}i <colan@gmail.com>", f"THCS Thới L{CYR_A}i", id="any-address"),
    ],
)
def test_mixed_script_display_name_is_held(make_mail, make_case, policy, from_, name) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) == Reason(
        "sender-name-lookalike", Action.HOLD, {"name": name}
    )


@pytest.mark.parametrize(
    ("from_", "name", "unit", "address"),
    [
        pytest.param("Trường THCS Thới Lai <thcsthoilai.binhdai@gmail.com>", "Trường THCS Thới Lai", "THCS Thới Lai",
                     "thcsthoilai.binhdai@gmail.com", id="N129-gmail"),
        pytest.param("thcs thoi lai <x@gmail.com>", "thcs thoi lai", "THCS Thới Lai", "x@gmail.com", id="no-accents"),
        pytest.param(f"{NFD('THCS Thới Lai')} <x@gmail.com>", "THCS Thới Lai", "THCS Thới Lai", "x@gmail.com", id="nfd"),
        pytest.param("Cô Lan - TH Thới Lai <colan.ththoilai@gmail.com>", "Cô Lan - TH Thới Lai", "TH Thới Lai",
                     "colan.ththoilai@gmail.com", id="name-then-school"),
        pytest.param("Lê Thị Thu - HT MN Thị trấn <hieutruong.mnthitran@bentre.edu.vn>", "Lê Thị Thu - HT MN Thị trấn",
                     "MN Thị trấn Bình Đại", "hieutruong.mnthitran@bentre.edu.vn", id="N152-unregistered-on-the-domain"),
        pytest.param("THCS Bình Thắng <c2binhthang.binhdai@bentre.edu.vn>", "THCS Bình Thắng", "THCS Bình Thắng",
                     "c2binhthang.binhdai@bentre.edu.vn", id="N147"),
        pytest.param("Phòng GD&ĐT Bình Đại <pgd.binhdai@gmail.com>", "Phòng GD&ĐT Bình Đại", "Phòng GD&ĐT Bình Đại",
                     "pgd.binhdai@gmail.com", id="N137-the-office"),
        pytest.param("Trường THCS Thới Lai <thcsthoilai.binhdai@b\u0435ntre.edu.vn>", "Trường THCS Thới Lai",
                     "THCS Thới Lai", "thcsthoilai.binhdai@b\u0435ntre.edu.vn", id="N164-look-alike-address"),
        pytest.param("TH Châu Hưng A <thchauhung.binhdai@bentre.edu.vn>", "TH Châu Hưng A", "TH Châu Hưng A",
                     "thchauhung.binhdai@bentre.edu.vn", id="N150"),
    ],
)
def test_display_name_claiming_a_unit_from_an_unregistered_address(make_mail, make_case, policy, from_, name, unit, address) -> None:
    assert RULE.check(make_case(make_mail(from_=from_)), policy) == Reason(
        "sender-display-name", Action.REJECT, {"name": name, "unit": unit, "address": address}
    )


def test_ambiguous_school_name_from_gmail_is_still_a_claim(make_mail, make_case, policy) -> None:
    reason = RULE.check(make_case(make_mail(from_="TH Châu Hưng <chauhung@gmail.com>")), policy)
    assert reason is not None and reason.code == "sender-display-name"
    assert reason.details["unit"] in {"TH Châu Hưng A", "TH Châu Hưng B"}


def test_an_address_as_display_name_is_not_a_unit_name(make_mail, make_case, registry, policy) -> None:
    # '"thcsthoilai.binhdai@bentre.edu.vn" <x@gmail.com>' names no unit; the Gmail address is still refused
    mail = make_mail(from_='"thcsthoilai.binhdai@bentre.edu.vn" <x@gmail.com>')
    assert mail.sender is not None and mail.sender.address == "x@gmail.com"
    assert RULE.check(make_case(mail), policy) is None
    verdict, _ = judge(mail, registry, policy)
    assert verdict.action is Action.REJECT and [r.code for r in verdict.reasons] == ["sender-domain"]


@pytest.mark.parametrize(
    "from_",
    [
        pytest.param("THCS Thới Lai <thptlehoangchieu@bentre.edu.vn>", id="registered-not-reporting"),
        pytest.param("Trường THCS Thới Lai <pgdbinhdai@bentre.edu.vn>", id="the-office-itself"),
    ],
)
def test_registered_address_is_never_called_out_for_its_display_name(make_mail, make_case, policy, from_) -> None:
    # judging_cases.md: sender-display-name only when "the address is **not registered** (it comes with
    # sender-domain, sender-unknown or sender-lookalike)"; docs/rules.md: "a registered school whose display
    # name is odd is still that school"; own-mail rows list no other sender code (N269-N274)
    assert RULE.check(make_case(make_mail(from_=from_)), policy) is None


@pytest.mark.parametrize(
    ("from_", "action", "codes"),
    [
        (f"THCS Thới L{CYR_A}i <{THCS}>", Action.HOLD, ["sender-name-lookalike"]),
        # N259: the hold and a mismatch together, hold wins
        (f"THCS Thới L{CYR_A}i <ththoilai.binhdai@bentre.edu.vn>", Action.HOLD,
         ["sender-name-lookalike", "subject-unit-mismatch"]),
        ("THCS Thới Lai <thoilai.report@yahoo.com.vn>", Action.REJECT, ["sender-domain", "sender-display-name"]),  # S167
        ("THCS Thới Lai <ththoilai.binhdai@bentre.edu.vn>", Action.REJECT, ["subject-unit-mismatch"]),  # N226
    ],
)
def test_judge(make_mail, registry, policy, from_, action, codes) -> None:
    verdict, _ = judge(make_mail(from_=from_, subject="THCS Thới Lai - Báo cáo tháng 10"), registry, policy)
    assert [r.code for r in verdict.reasons] == codes
    assert verdict.action is action
