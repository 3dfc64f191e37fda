"""mailbot.core.lookalike: look-alike letters in addresses (Cyrillic, Greek, fullwidth, punycode) and mixed
scripts in display names."""

from __future__ import annotations

import unicodedata

import pytest

from mailbot.core.lookalike import decode_punycode, is_lookalike_address, is_mixed_script, scripts, skeleton

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
CYRILLIC_E = "\u0435"  # е
CYRILLIC_A = "\u0430"  # а
GREEK_OMICRON = "\u03bf"  # ο


# --- decode_punycode ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "decoded"),
    [
        ("pgdbinhdai@xn--bentr-3we.edu.vn", f"pgdbinhdai@bentr{CYRILLIC_E}.edu.vn"),  # N173
        ("xn--bentr-3we.edu.vn", f"bentr{CYRILLIC_E}.edu.vn"),  # a bare domain
        ("x@xn--bcher-kva.example", "x@bücher.example"),
        ("thcsthoilai.binhdai@bentre.edu.vn", "thcsthoilai.binhdai@bentre.edu.vn"),  # not punycode: unchanged
        ("xn--abc@gmail.com", "xn--abc@gmail.com"),  # only domain labels are punycode
        ("x@xn--zz.edu.vn", "x@xn--zz.edu.vn"),  # not valid punycode: left as it is, never raises
        ("x@xn--.edu.vn", "x@xn--.edu.vn"),
    ],
)
def test_decode_punycode(address: str, decoded: str) -> None:
    assert decode_punycode(address) == decoded


def test_decode_punycode_ignores_the_case_of_the_ace_prefix() -> None:
    # RFC 3490: the "xn--" prefix and the label are case-insensitive, and is_lookalike_address agrees;
    # the parser lower-cases addresses, so today only a direct caller sees the difference
    assert decode_punycode("X@XN--BENTR-3WE.EDU.VN").lower() == f"x@bentr{CYRILLIC_E}.edu.vn"


# --- skeleton -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "shape"),
    [
        (f"thphulong.binhdai@bentr{CYRILLIC_E}.edu.vn", "thphulong.binhdai@bentre.edu.vn"),
        (f"thlocthu{CYRILLIC_A}n.binhdai@bentre.edu.vn", "thlocthuan.binhdai@bentre.edu.vn"),
        (f"thcsth{GREEK_OMICRON}ilai.binhdai@bentre.edu.vn", "thcsthoilai.binhdai@bentre.edu.vn"),
        ("thcsthoilai.binhdai\uff20bentre.edu.vn", "thcsthoilai.binhdai@bentre.edu.vn"),  # fullwidth ＠
        ("thcsthoilai.binhdai\ufe6bbentre.edu.vn", "thcsthoilai.binhdai@bentre.edu.vn"),  # small commercial at ﹫
        ("thcsthoilai.binhdai@bentre\uff0eedu\uff0evn", "thcsthoilai.binhdai@bentre.edu.vn"),  # fullwidth full stop
        ("ｔｈｃｓ＠ｂｅｎｔｒｅ．ｅｄｕ．ｖｎ", "thcs@bentre.edu.vn"),  # all fullwidth
        ("THCSThoiLai@BENTR\u0415.EDU.VN", "thcsthoilai@bentre.edu.vn"),  # capitals, Cyrillic capital Е
        ("pgdbinhdai@xn--bentr-3we.edu.vn", "pgdbinhdai@bentre.edu.vn"),  # punycode decoded first
        ("ΤΗ", "th"),  # Greek capitals tau, eta
        ("thcsthoilai.binhdai@bentre.edu.vn", "thcsthoilai.binhdai@bentre.edu.vn"),
    ],
)
def test_skeleton_is_what_the_text_looks_like(text: str, shape: str) -> None:
    assert skeleton(text) == shape


def test_skeleton_keeps_vietnamese_letters() -> None:
    # ớ is a real letter, not a twin of o: the address is still a look-alike, but its skeleton differs
    assert skeleton("thcsthớilai@bentre.edu.vn") == "thcsthớilai@bentre.edu.vn"


# --- is_lookalike_address -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "address",
    [
        f"thphulong.binhdai@bentr{CYRILLIC_E}.edu.vn",
        f"thlocthu{CYRILLIC_A}n.binhdai@bentre.edu.vn",
        "thcsthoilai.binhdai\uff20bentre.edu.vn",
        "thcsthoilai.binhdai@bentre\uff0eedu.vn",
        "pgdbinhdai@xn--bentr-3we.edu.vn",
        "pgdbinhdai@XN--BENTR-3WE.edu.vn",
        "pgdbinhdai@mail.xn--bentr-3we.edu.vn",  # a punycode label anywhere in the domain
        "thcsthớilai.binhdai@bentre.edu.vn",  # N170: a Vietnamese letter (SMTPUTF8 mailbox)
        NFD("thcsthớilai.binhdai@bentre.edu.vn"),
        "pgdbinhдай@bentre.edu.vn",  # S171: the office address as printed in the letter
    ],
)
def test_lookalike_addresses(address: str) -> None:
    assert is_lookalike_address(address) is True


@pytest.mark.parametrize(
    "address",
    [
        "thcsthoilai.binhdai@bentre.edu.vn",
        "THCSThoiLai.BinhDai@BenTre.EDU.VN",
        "thphulong.binhdai@bentre-edu.vn",  # an ASCII look-alike domain is sender-domain's business
        "colan@gmail.com",
        "xn--abc@gmail.com",  # "xn--" in the local part is no punycode label
        "x@exn--ample.com",
    ],
)
def test_ascii_addresses_are_not_lookalikes(address: str) -> None:
    assert is_lookalike_address(address) is False


# --- scripts / is_mixed_script ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("THCS Thới Lai", {"LATIN"}),
        (NFD("Trường THCS Thới Lai"), {"LATIN"}),  # combining marks are not letters of another script
        ("TRƯỜNG THCS THỚI LAI", {"LATIN"}),
        ("Trường TH Ðịnh Trung", {"LATIN"}),  # N102: eth is Latin
        ("Ɖại Hòa Lộc", {"LATIN"}),  # African D is Latin
        (f"THCS Thới L{CYRILLIC_A}i", {"LATIN", "CYRILLIC"}),
        ("ΤΗ Long Hòa", {"LATIN", "GREEK"}),  # N258
        ("ＴＨＣＳ Thới Lai", {"LATIN", "FULLWIDTH"}),
        ("Иван Петров", {"CYRILLIC"}),
        ("123 - & ()", set()),
        ("THCS Thới Lai 🌸", {"LATIN"}),
        ("", set()),
    ],
)
def test_scripts(name: str, found: set[str]) -> None:
    assert scripts(name) == found


@pytest.mark.parametrize(
    ("name", "mixed"),
    [
        ("THCS Thới Lai", False),
        (NFD("THCS Thới Lai"), False),
        ("Trường TH Ðịnh Trung", False),
        ("Иван Петров", False),  # one script, even if not Latin
        ("", False),
        (f"THCS Thới L{CYRILLIC_A}i", True),  # N255
        ("Trường MG \u0422hừa Đức", True),  # N256: Cyrillic capital Т
        ("\u0422\u041d Phú Vang", True),  # N257: Cyrillic ТН
        ("Phòng GD&ĐT Bình Đạ\u0456", True),  # N260: Cyrillic і
        (f"THCS THỚI L{CYRILLIC_A.upper()}I", True),  # capitals
        (NFD("Văn thư \u041cN Lộc Thuận"), True),  # NFD with a Cyrillic М
        ("ＴＨＣＳ Thới Lai", True),
    ],
)
def test_is_mixed_script(name: str, mixed: bool) -> None:
    assert is_mixed_script(name) is mixed
