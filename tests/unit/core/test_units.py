"""mailbot.core.units: the Registry look-ups and unit_from_row (one units-file row -> Unit)."""

from __future__ import annotations

import unicodedata

import pytest

from mailbot.core.units import Registry, Unit, UnitDataError, unit_from_row


def row(**cells: object) -> dict[str, object]:
    base: dict[str, object] = {
        "unit_id": "THCS-thoilai",
        "unit_type": "thcs",
        "official_name": "Trường Trung học cơ sở Thới Lai",
        "subject_name": "THCS Thới Lai",
        "aliases": "Trường THCS Thới Lai|C2 Thới Lai",
        "email": "thcsthoilai.binhdai@bentre.edu.vn",
        "reports_to_pgd": "yes",
    }
    base.update(cells)
    return base


def unit(unit_id: str, subject_name: str, *aliases: str, address: str = "", name: str = "") -> Unit:
    return Unit(
        unit_id=unit_id,
        name=name or f"Trường {subject_name}",
        subject_name=subject_name,
        kind="tieu_hoc",
        aliases=aliases,
        addresses=(address,) if address else (),
        reports=True,
    )


@pytest.fixture
def small() -> Registry:
    """Two look-alike primary schools that share a clerk's shorthand, and a lower-secondary school."""
    return Registry(
        [
            unit("TH-chauhunga", "TH Châu Hưng A", "C1 Châu Hưng A", "TH Châu Hưng", address="thchauhunga.binhdai@bentre.edu.vn"),
            unit("TH-chauhungb", "TH Châu Hưng B", "C1 Châu Hưng B", "TH Châu Hưng", address="thchauhungb.binhdai@bentre.edu.vn"),
            unit("THCS-thoilai", "THCS Thới Lai", "C2 Thới Lai", address="thcsthoilai.binhdai@bentre.edu.vn",
                 name="Trường Trung học cơ sở Thới Lai"),
        ]
    )


# --- Registry ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "address",
    ["thcsthoilai.binhdai@bentre.edu.vn", "THCSThoiLai.BinhDai@BenTre.EDU.VN", "thcsthoilai.binhdai@BENTRE.edu.vn"],
)
def test_by_address_ignores_case(small: Registry, address: str) -> None:
    found = small.by_address(address)
    assert found is not None and found.unit_id == "THCS-thoilai"


@pytest.mark.parametrize(
    "address",
    ["thcsthoilai.binhdai@gmail.com", "thcsthoilai@bentre.edu.vn", "c2thoilai.binhdai@bentre.edu.vn", ""],
)
def test_by_address_unknown(small: Registry, address: str) -> None:
    assert small.by_address(address) is None


@pytest.mark.parametrize(
    "text",
    [
        "THCS Thới Lai",
        "thcs thoi lai",
        "THCS THỚI LAI",
        unicodedata.normalize("NFD", "THCS Thới Lai"),
        "  THCS   Thới\u00a0Lai ",
        "Trường THCS Thới Lai",
        "TRƯỜNG THCS THỚI LAI",
        "Truong THCS Thoi Lai",
        "Trường Trung học cơ sở Thới Lai",  # the official name
        "Trung học cơ sở Thới Lai",  # the official name without "Trường"
        "C2 Thới Lai",  # an alias
        "Trường C2 Thới Lai",
    ],
)
def test_match_name_ignores_accents_case_spacing_and_truong(small: Registry, text: str) -> None:
    assert [u.unit_id for u in small.match_name(text)] == ["THCS-thoilai"]


@pytest.mark.parametrize("text", ["Thới Lai", "THCS Thới", "THCS Thới Lai Báo cáo", "TH Thới Lai", "", "Trường"])
def test_match_name_needs_the_whole_name(small: Registry, text: str) -> None:
    assert small.match_name(text) == []


def test_ambiguous_alias_returns_every_unit_sorted(small: Registry) -> None:
    assert [u.unit_id for u in small.match_name("TH Chau Hung")] == ["TH-chauhunga", "TH-chauhungb"]
    assert [u.unit_id for u in small.match_name("TH Châu Hưng B")] == ["TH-chauhungb"]


def test_len_and_units(small: Registry) -> None:
    assert len(small) == 3
    assert set(small.units) == {"TH-chauhunga", "TH-chauhungb", "THCS-thoilai"}


def test_example_registry_has_the_office_and_knows_who_reports(registry: Registry) -> None:
    office = registry.by_address("pgdbinhdai@bentre.edu.vn")
    assert office is not None and office.unit_id == "PGD" and office.reports is False
    thpt = registry.by_address("thptlehoangchieu@bentre.edu.vn")
    assert thpt is not None and thpt.reports is False
    assert [u.unit_id for u in registry.match_name("TH&THCS Tam Hiệp")] == ["THTHCS-tamhiep"]


# --- unit_from_row -------------------------------------------------------------------------------
def test_unit_from_row_full() -> None:
    built = unit_from_row(row(), line=42)
    assert built == Unit(
        unit_id="THCS-thoilai",
        name="Trường Trung học cơ sở Thới Lai",
        subject_name="THCS Thới Lai",
        kind="thcs",
        aliases=("Trường THCS Thới Lai", "C2 Thới Lai"),
        addresses=("thcsthoilai.binhdai@bentre.edu.vn",),
        reports=True,
    )
    assert built.names() == ("THCS Thới Lai", "Trường Trung học cơ sở Thới Lai", "Trường THCS Thới Lai", "C2 Thới Lai")


@pytest.mark.parametrize(
    ("email", "addresses"),
    [
        ("a@bentre.edu.vn|b@bentre.edu.vn", ("a@bentre.edu.vn", "b@bentre.edu.vn")),
        ("a@bentre.edu.vn; b@bentre.edu.vn", ("a@bentre.edu.vn", "b@bentre.edu.vn")),
        (" A@BenTre.edu.vn | b@bentre.edu.vn ;c@bentre.edu.vn ", ("a@bentre.edu.vn", "b@bentre.edu.vn", "c@bentre.edu.vn")),
        ("a@bentre.edu.vn||;", ("a@bentre.edu.vn",)),
        ("", ()),
        (None, ()),
    ],
)
def test_unit_from_row_addresses(email: object, addresses: tuple[str, ...]) -> None:
    assert unit_from_row(row(email=email), line=2).addresses == addresses


@pytest.mark.parametrize(
    ("cells", "must_mention"),
    [
        ({"unit_id": ""}, ["dòng 7", "unit_id"]),
        ({"unit_id": None}, ["dòng 7", "unit_id"]),
        ({"official_name": "", "name": ""}, ["dòng 7", "THCS-thoilai", "official_name"]),
        ({"official_name": None}, ["dòng 7", "THCS-thoilai", "official_name"]),
    ],
)
def test_unit_from_row_missing_id_or_name_names_the_line(cells: dict[str, object], must_mention: list[str]) -> None:
    with pytest.raises(UnitDataError) as caught:
        unit_from_row(row(**cells), line=7)
    for text in must_mention:
        assert text in str(caught.value)


@pytest.mark.parametrize(
    "email",
    [
        "pgdbinhдай@bentre.edu.vn",  # the Cyrillic д, а, й printed in the 2022 letter
        "thphulong.binhdai@bentrе.edu.vn",  # Cyrillic е
        "thcs thoilai@bentre.edu.vn",
        "thcsthoilai.binhdai.bentre.edu.vn",
        "a@b@bentre.edu.vn",
        "ok@bentre.edu.vn|trường@bentre.edu.vn",
    ],
)
def test_unit_from_row_refuses_bad_addresses(email: str) -> None:
    with pytest.raises(UnitDataError, match=r"dòng 5 \(THCS-thoilai\): địa chỉ thư không hợp lệ"):
        unit_from_row(row(email=email), line=5)


@pytest.mark.parametrize(
    ("flag", "reports"),
    [
        ("yes", True), ("Yes", True), ("y", True), ("true", True), ("1", True), (1, True), ("x", True),
        ("có", True), ("Có", True), (" yes ", True),
        ("no", False), ("", False), (None, False), ("n/a (receiver)", False), ("không", False), (0, False),
    ],
)
def test_unit_from_row_reports_flag(flag: object, reports: bool) -> None:
    assert unit_from_row(row(reports_to_pgd=flag), line=2).reports is reports


def test_unit_from_row_defaults_and_fallback_columns() -> None:
    built = unit_from_row(
        {"unit_id": "MN-hoamai", "name": "Trường Mầm non tư thục Hoa Mai", "kind": "mam_non_tu_thuc", "email": "x@bentre.edu.vn"},
        line=3,
    )
    assert built.name == "Trường Mầm non tư thục Hoa Mai"
    assert built.subject_name == built.name  # no subject_name column: the official name is used
    assert built.kind == "mam_non_tu_thuc"
    assert built.aliases == ()
    assert built.reports is False


def test_unit_from_row_normalises_text_to_nfc() -> None:
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    built = unit_from_row(
        row(official_name=nfd("Trường THCS Thới Lai"), subject_name=nfd("THCS Thới Lai"), aliases=nfd("C2 Thới Lai | Trường THCS Thới Lai")),
        line=2,
    )
    assert built.name == "Trường THCS Thới Lai"
    assert built.subject_name == "THCS Thới Lai"
    assert built.aliases == ("C2 Thới Lai", "Trường THCS Thới Lai")
