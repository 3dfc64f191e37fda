"""mailbot.core.text: NFC for storage and display, the folded key for matching, header-safe text."""

from __future__ import annotations

import unicodedata

import pytest

from mailbot.core.text import first_non_ascii, fold, nfc, strip_controls, unsurrogate

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731 - a short name keeps the tables readable


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(NFD("THCS Thới Lai"), "THCS Thới Lai", id="nfd-to-nfc"),
        pytest.param("Tho\u031b\u0301i", "Thới", id="horn-then-acute"),
        pytest.param("Tho\u0301\u031bi", "Thới", id="acute-then-horn-reordered"),
        pytest.param("Báo\u200b cáo", "Báo cáo", id="zwsp-removed"),
        pytest.param("Báo cá\u00ado", "Báo cáo", id="soft-hyphen-removed"),
        pytest.param("\ufeffTH Long Định", "TH Long Định", id="bom-removed"),
        pytest.param("TH\u00a0Long\u00a0Định", "TH Long Định", id="nbsp-is-a-space"),
        pytest.param("TH Phú Thuận -\tBáo cáo", "TH Phú Thuận - Báo cáo", id="tab-is-a-space"),
        pytest.param("  MG   Thừa \u3000 Đức  ", "MG Thừa Đức", id="runs-collapsed-and-trimmed"),
        pytest.param("\u00d0ại Hòa Lộc", "Đại Hòa Lộc", id="eth-capital-to-d-stroke"),
        pytest.param("Th\u00f0a \u00d0\u1ee9c", "Thđa Đức", id="eth-small-to-d-stroke"),
        pytest.param("\u0189ại", "Đại", id="african-d-to-d-stroke"),
        pytest.param("THCS \u202eThới Lai", "THCS Thới Lai", id="bidi-override-removed"),
        pytest.param("", "", id="empty"),
    ],
)
def test_nfc(raw: str, expected: str) -> None:
    assert nfc(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(NFD("Trường Mầm non Thị trấn Bình Đại"), "Trường Mầm non Thị trấn Bình Đại", id="nfd"),
        pytest.param("Ba\u0301o\u00a0ca\u0301o\u200b", "Báo cáo", id="nfd-nbsp-zwsp"),
        # an invisible character between a letter and its tone mark: removing it must not leave NFD behind
        pytest.param("Tho\u031b\u200b\u0301i", "Thới", id="zwsp-inside-a-letter"),
        pytest.param("Ba\u00ad\u0301o", "Báo", id="soft-hyphen-inside-a-letter"),
    ],
)
def test_nfc_output_is_always_nfc(raw: str, expected: str) -> None:
    result = nfc(raw)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)


def test_nfc_turns_surrogate_escaped_utf8_back_into_text() -> None:
    escaped = "Thới Lai".encode("utf-8").decode("ascii", "surrogateescape")
    assert nfc(escaped) == "Thới Lai"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("THCS Thới Lai", "thcs thoi lai"),
        (NFD("THCS Thới Lai"), "thcs thoi lai"),
        ("thcs thoi lai", "thcs thoi lai"),
        ("ĐẠI HÒA LỘC", "dai hoa loc"),
        ("Đại Hoà Lộc", "dai hoa loc"),  # old-style tone placement folds the same
        ("Thừa Đức", "thua duc"),
        ("\u00d0ại \u00f0ức", "dai duc"),  # Eth look-alikes behave like Đ/đ
        ("Trường TH&THCS Tam Hiệp", "truong th thcs tam hiep"),
        ("TH & THCS Tam Hiệp", "th thcs tam hiep"),
        ("TH-THCS  Tam\u00a0Hiệp", "th thcs tam hiep"),
        ("Phòng GD-ĐT Bình Đại", "phong gd dt binh dai"),
        ("  (Báo cáo) tháng 10/2022!  ", "bao cao thang 10 2022"),
        ("Mẫu giáo Vang Quới Đông", "mau giao vang quoi dong"),
        ("", ""),
    ],
)
def test_fold(text: str, key: str) -> None:
    assert fold(text) == key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("THCS Thới Lai\r\nBcc: x@evil.example", "THCS Thới Lai  Bcc: x@evil.example"),
        ("a\x00b", "a b"),
        ("a\tb", "a b"),
        ("a\x85b\x7fc", "a b c"),  # C1 NEXT LINE and DEL are controls too
        ("Báo cáo\u200b tháng", "Báo cáo\u200b tháng"),  # format characters are nfc's job, not this one's
        ("Không đổi", "Không đổi"),
    ],
)
def test_strip_controls(text: str, expected: str) -> None:
    assert strip_controls(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Th\udce1\udcbb\udc9bi Lai", "Thới Lai", id="escaped-utf8-decoded"),
        pytest.param("B\udce1o", "B\ufffdo", id="escaped-non-utf8-marked"),
        pytest.param("ab\udcff", "ab\ufffd", id="lone-escaped-byte-marked"),
        pytest.param("Thới Lai", "Thới Lai", id="plain-text-unchanged"),
        pytest.param("\ud800x", "?x", id="real-lone-surrogate-replaced"),
    ],
)
def test_unsurrogate(text: str, expected: str) -> None:
    assert unsurrogate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pgdbinhdai@bentre.edu.vn", None),
        ("", None),
        ("pgdbinhдай@bentre.edu.vn", (7, "д")),
        ("thphulong.binhdai@bentrе.edu.vn", (23, "е")),  # Cyrillic е in the domain
        ("Đại", (0, "Đ")),
        ("a\u00a0b", (1, "\u00a0")),
    ],
)
def test_first_non_ascii(text: str, expected: tuple[int, str] | None) -> None:
    assert first_non_ascii(text) == expected
