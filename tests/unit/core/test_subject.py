"""mailbot.core.subject: reply/forward prefixes and tags, "Tên đơn vị - nội dung", and the example subject."""

from __future__ import annotations

import unicodedata

import pytest

from mailbot.core.subject import example_subject, parse_subject, strip_prefixes
from mailbot.core.units import Registry, Unit

ROWS = ("PGD", "THCS-thoilai", "TH-thoilai", "TH-chauhunga", "TH-chauhungb", "MG-thuaduc", "THTHCS-tamhiep", "MN-thitran")


@pytest.fixture(scope="module")
def small(units: dict[str, Unit]) -> Registry:
    """A few real rows of config/units.example.csv."""
    return Registry(units[unit_id] for unit_id in ROWS)


# --- strip_prefixes ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: THCS Thới Lai - Báo cáo", "THCS Thới Lai - Báo cáo"),
        ("RE: RE: TH Phú Thuận - Báo cáo tháng 1/2023", "TH Phú Thuận - Báo cáo tháng 1/2023"),
        ("RE[2]: THCS Thới Lai - Báo cáo", "THCS Thới Lai - Báo cáo"),
        ("Re[12]:THCS Thới Lai - Báo cáo", "THCS Thới Lai - Báo cáo"),
        ("re : THCS Thới Lai - Báo cáo", "THCS Thới Lai - Báo cáo"),
        ("Fwd: THCS Thới Lai - Báo cáo", "THCS Thới Lai - Báo cáo"),
        ("FW: THCS Thới Lai - Báo cáo", "THCS Thới Lai - Báo cáo"),
        ("Fw:THCS Thới Lai - Báo cáo", "THCS Thới Lai - Báo cáo"),
        ("TL: THCS Thới Lai - Báo cáo", "THCS Thới Lai - Báo cáo"),
        ("Trả lời: MG Phú Thuận - Báo cáo tháng 2/2023", "MG Phú Thuận - Báo cáo tháng 2/2023"),
        ("TRẢ LỜI : MG Phú Thuận - Báo cáo", "MG Phú Thuận - Báo cáo"),
        (unicodedata.normalize("NFD", "Trả lời: MG Phú Thuận - Báo cáo"), "MG Phú Thuận - Báo cáo"),
        ("CT: TH Thạnh Trị - Báo cáo quý I/2023", "TH Thạnh Trị - Báo cáo quý I/2023"),
        ("Chuyển tiếp: TH Thừa Đức - BC quý 1/2023", "TH Thừa Đức - BC quý 1/2023"),
        ("[Báo cáo] THCS Thới Lai - Báo cáo", "THCS Thới Lai - Báo cáo"),
        ("[BC]TH&THCS Tam Hiệp - Báo cáo 9 tháng", "TH&THCS Tam Hiệp - Báo cáo 9 tháng"),
        ("Re: [SPAM] Fwd: [Báo cáo] TL: THCS Thới Lai - Báo cáo", "THCS Thới Lai - Báo cáo"),
        ("RE[2]: Fwd: FW: TL: Trả lời: CT: Chuyển tiếp: [Báo cáo] THCS Thới Lai - x", "THCS Thới Lai - x"),
        ("  Re:   THCS Thới Lai - Báo cáo  ", "THCS Thới Lai - Báo cáo"),
        ("Re:", ""),
        ("[Báo cáo]", ""),
    ],
)
def test_strip_prefixes(subject: str, expected: str) -> None:
    assert strip_prefixes(subject) == expected


@pytest.mark.parametrize(
    "subject",
    [
        "Report: THCS Thới Lai",  # "Re" must be a whole prefix
        "Reply THCS Thới Lai",
        "TLx: THCS Thới Lai",
        "THCS Thới Lai - Re: Báo cáo",  # only leading prefixes go
        "THCS Thới Lai [Báo cáo]",
    ],
)
def test_strip_prefixes_leaves_other_text_alone(subject: str) -> None:
    assert strip_prefixes(subject) == subject


# --- parse_subject -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "separator",
    [
        pytest.param(" - ", id="hyphen"),
        pytest.param("-", id="hyphen-no-spaces"),
        pytest.param(" \u2010 ", id="unicode-hyphen"),
        pytest.param(" \u2013 ", id="en-dash"),
        pytest.param(" \u2014 ", id="em-dash"),
        pytest.param(" \u2212 ", id="minus-sign"),
        pytest.param(": ", id="colon"),
        pytest.param(":", id="colon-no-space"),
        pytest.param(" | ", id="pipe"),
        pytest.param(" -- ", id="double-hyphen"),
    ],
)
def test_separators(small: Registry, separator: str) -> None:
    parts = parse_subject(f"THCS Thới Lai{separator}Báo cáo tháng 10/2022", small)
    assert [u.unit_id for u in parts.units] == ["THCS-thoilai"]
    assert parts.unit_text == "THCS Thới Lai"
    assert parts.content == "Báo cáo tháng 10/2022"
    assert parts.has_separator is True


@pytest.mark.parametrize(
    ("subject", "unit_ids", "unit_text", "content"),
    [
        pytest.param("thcs thoi lai - bao cao thang 10", ["THCS-thoilai"], "thcs thoi lai", "bao cao thang 10", id="no-accents"),
        pytest.param("TRƯỜNG THCS THỚI LAI - BÁO CÁO", ["THCS-thoilai"], "TRƯỜNG THCS THỚI LAI", "BÁO CÁO", id="caps-truong"),
        pytest.param("TH Thới Lai - Báo cáo", ["TH-thoilai"], "TH Thới Lai", "Báo cáo", id="th-not-thcs"),
        pytest.param("TH&THCS Tam Hiệp - Báo cáo 9 tháng", ["THTHCS-tamhiep"], "TH&THCS Tam Hiệp", "Báo cáo 9 tháng", id="ampersand"),
        pytest.param("TH-THCS Tam Hiệp - Báo cáo", ["THTHCS-tamhiep"], "TH-THCS Tam Hiệp", "Báo cáo", id="hyphen-in-alias"),
        pytest.param("MN TT Bình Đại - Báo cáo", ["MN-thitran"], "MN TT Bình Đại", "Báo cáo", id="abbreviated-alias"),
        pytest.param(
            "THCS Thới Lai - Báo cáo tháng 10 - bổ sung", ["THCS-thoilai"], "THCS Thới Lai", "Báo cáo tháng 10 - bổ sung",
            id="separator-inside-content",
        ),
        pytest.param(
            "Re: [Báo cáo] " + unicodedata.normalize("NFD", "MG Thừa Đức – Báo cáo tháng 11/2022"),
            ["MG-thuaduc"], "MG Thừa Đức", "Báo cáo tháng 11/2022", id="prefix-tag-nfd-en-dash",
        ),
        pytest.param(
            "Phòng GD-ĐT Bình Đại - Báo cáo", ["PGD"], "Phòng GD-ĐT Bình Đại", "Báo cáo", id="hyphen-inside-office-name"
        ),
    ],
)
def test_unit_is_found(small: Registry, subject: str, unit_ids: list[str], unit_text: str, content: str) -> None:
    parts = parse_subject(subject, small)
    assert ([u.unit_id for u in parts.units], parts.unit_text, parts.content) == (unit_ids, unit_text, content)


def test_missing_separator_takes_the_longest_unit_name(small: Registry) -> None:
    parts = parse_subject("THCS Thới Lai Báo cáo tháng 10", small)
    assert [u.unit_id for u in parts.units] == ["THCS-thoilai"]
    assert parts.unit_text == "THCS Thới Lai"
    assert parts.content == "Báo cáo tháng 10"
    assert parts.has_separator is False


def test_missing_separator_prefers_the_longer_name(small: Registry) -> None:
    # "TH Châu Hưng" alone names A and B; "TH Châu Hưng A" names A only, and the longer name wins
    parts = parse_subject("TH Châu Hưng A Báo cáo tháng 9", small)
    assert [u.unit_id for u in parts.units] == ["TH-chauhunga"]
    assert parts.content == "Báo cáo tháng 9"


def test_unit_name_only(small: Registry) -> None:
    parts = parse_subject("Re: THCS Thới Lai", small)
    assert (parts.cleaned, parts.unit_text, parts.content) == ("THCS Thới Lai", "THCS Thới Lai", "")
    assert [u.unit_id for u in parts.units] == ["THCS-thoilai"]


def test_unit_then_separator_and_nothing(small: Registry) -> None:
    # a dash at the very end separates nothing: the new grammar only counts separators inside the text,
    # and what matters is that the unit is found with no content (subject-no-content)
    parts = parse_subject("THCS Thới Lai -", small)
    assert (parts.unit_text, parts.content, parts.has_separator) == ("THCS Thới Lai", "", False)
    assert [u.unit_id for u in parts.units] == ["THCS-thoilai"]


def test_no_unit_at_all(small: Registry) -> None:
    parts = parse_subject("Báo cáo tháng 10", small)
    assert (parts.cleaned, parts.unit_text, parts.content, parts.units, parts.has_separator) == (
        "Báo cáo tháng 10", None, "Báo cáo tháng 10", (), False,
    )


@pytest.mark.parametrize(
    ("subject", "unit_text", "content"),
    [
        ("Trường ABC - Báo cáo", "Trường ABC", "Báo cáo"),
        ("THPT Lê Hoàng Chiếu - Báo cáo", "THPT Lê Hoàng Chiếu", "Báo cáo"),  # a real unit, but not in this registry
        ("THCS Thới Lai Đông - Báo cáo", "THCS Thới Lai Đông", "Báo cáo"),  # the name runs on: not "THCS Thới Lai"
    ],
)
def test_unknown_unit_text_is_kept_for_the_reply(small: Registry, subject: str, unit_text: str, content: str) -> None:
    parts = parse_subject(subject, small)
    assert (parts.unit_text, parts.content, parts.units, parts.has_separator) == (unit_text, content, (), True)


@pytest.mark.parametrize(
    ("subject", "content"),
    [
        ("Báo cáo tháng 9 - THCS Thới Lai", "Báo cáo tháng 9"),
        ("Báo cáo tháng 9 của Trường THCS Thới Lai", "Báo cáo tháng 9"),
        ("Báo cáo tháng 9 (THCS Thới Lai)", "Báo cáo tháng 9"),
    ],
)
def test_reversed_order_finds_the_unit_after_the_content(small: Registry, subject: str, content: str) -> None:
    # docs/rules.md: the unit "after a separator (reversed order), or at the end" is found; the table accepts
    # these (borderline) rows, so the old "unknown unit 'Báo cáo tháng 9'" reading is gone
    parts = parse_subject(subject, small)
    assert [u.unit_id for u in parts.units] == ["THCS-thoilai"]
    assert (parts.content, parts.reversed) == (content, True)
    assert parts.unit_text is not None and parts.unit_text.endswith("THCS Thới Lai")


@pytest.mark.parametrize("subject", ["", "   ", "Re:", "Fwd: [Báo cáo]"])
def test_empty_subject(small: Registry, subject: str) -> None:
    parts = parse_subject(subject, small)
    assert (parts.cleaned, parts.unit_text, parts.content, parts.units) == ("", None, "", ())


def test_separator_first_gives_no_unit_text(small: Registry) -> None:
    parts = parse_subject("- Báo cáo tháng 10", small)
    assert (parts.unit_text, parts.content, parts.units) == (None, "Báo cáo tháng 10", ())


@pytest.mark.parametrize(
    "subject",
    ["TH Châu Hưng - Báo cáo tháng 1/2023", "Trường TH Châu Hưng - Báo cáo tháng 1/2023", "C1 Chau Hung - Báo cáo tháng 1/2023"],
)
def test_ambiguous_subject_name_names_both_candidates(small: Registry, subject: str) -> None:
    # A and B both exist; "TH Châu Hưng" without the letter names both, and the rules decide (docs/rules.md)
    parts = parse_subject(subject, small)
    assert [u.unit_id for u in parts.units] == ["TH-chauhunga", "TH-chauhungb"]
    assert parts.content == "Báo cáo tháng 1/2023"
    assert parts.other_units == ()  # the two candidates are one ambiguous name, not two units


# --- example_subject -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("unit_id", "content", "expected"),
    [
        ("THCS-thoilai", "Báo cáo tháng 10", "THCS Thới Lai - Báo cáo tháng 10"),
        ("THCS-thoilai", "  Báo cáo tháng 10  ", "THCS Thới Lai - Báo cáo tháng 10"),
        ("THCS-thoilai", "", "THCS Thới Lai - Báo cáo tháng …"),
        ("THTHCS-tamhiep", "BC 9 tháng", "TH&THCS Tam Hiệp - BC 9 tháng"),
        (None, "Báo cáo quý I", "Tên đơn vị - Báo cáo quý I"),
        (None, " ", "Tên đơn vị - Báo cáo tháng …"),
    ],
)
def test_example_subject(units: dict[str, Unit], unit_id: str | None, content: str, expected: str) -> None:
    assert example_subject(units[unit_id] if unit_id else None, content) == expected


def test_example_subject_parses_back_to_the_same_unit(small: Registry, units: dict[str, Unit]) -> None:
    for unit_id in ROWS:
        parts = parse_subject(example_subject(units[unit_id], "Báo cáo tháng 10"), small)
        assert [u.unit_id for u in parts.units] == [unit_id]
        assert parts.content == "Báo cáo tháng 10"
