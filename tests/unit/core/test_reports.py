"""mailbot.core.reports: report type and period of a subject's content part, with the year inferred from the
received date. The table (tests/data/report_subjects.tsv) holds the realistic cases; the tests below pin the
inference rules at their edges (year and school-year boundaries, lunar months, day/month, one-off ids)."""

from __future__ import annotations

import csv
import dataclasses
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from mailbot.core.reports import Classification, classify

TABLE = Path(__file__).resolve().parents[2] / "data" / "report_subjects.tsv"
COLUMNS = ["id", "content", "received", "expected_report", "expected_period", "expected_revision", "expected_urgent",
           "note"]  # fmt: skip
EXTRA = {"csvc_2026": ["csvc", "co so vat chat"]}
BUILT_IN = {"monthly", "q1", "six_month", "nine_month", "year_prep", "opening", "urgent",
            "review_hk1", "review_hk2", "review_year", "other"}  # fmt: skip


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == COLUMNS
        return list(reader)


ROWS = _rows()


def _classify_row(row: dict[str, str], content: str | None = None) -> Classification:
    extra = EXTRA if row["expected_report"] == "csvc_2026" else {}
    return classify(row["content"] if content is None else content, date.fromisoformat(row["received"]), extra)


def _d(text: str) -> date:
    return date.fromisoformat(text)


# --- the table ---------------------------------------------------------------------------------------------
def test_the_table_is_big_and_well_formed():
    assert len(ROWS) >= 180
    assert len({r["id"] for r in ROWS}) == len(ROWS), "ids are unique"
    assert {r["expected_report"] for r in ROWS} >= BUILT_IN | {"csvc_2026"}, "every report type has rows"
    for row in ROWS:
        assert None not in row.values(), row["id"]  # no short or long lines
        date.fromisoformat(row["received"])
        assert row["expected_revision"] in ("yes", "no") and row["expected_urgent"] in ("yes", "no"), row["id"]


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_case(row):
    result = _classify_row(row)
    got = (result.report_id, result.period or "", result.revision, result.urgent)
    expected = (row["expected_report"], row["expected_period"], row["expected_revision"] == "yes",
                row["expected_urgent"] == "yes")  # fmt: skip
    assert got == expected, f"{row['note']} / classifier: {result.note}"


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_accents_case_and_normal_form_do_not_matter(row):
    """Clerks type without diacritics, in capitals, or paste NFD text: the same answer every time."""
    expected = _classify_row(row)
    content = row["content"]
    for variant in (_strip_accents(content), content.upper(), unicodedata.normalize("NFD", content)):
        result = _classify_row(row, variant)
        assert (result.report_id, result.period, result.revision, result.urgent) == (
            expected.report_id, expected.period, expected.revision, expected.urgent), variant  # fmt: skip


@pytest.mark.parametrize("row", [r for r in ROWS if r["expected_revision"] == "no"], ids=lambda r: r["id"])
def test_a_revision_keeps_the_report_and_period_it_names(row):
    plain = _classify_row(row)
    revised = _classify_row(row, row["content"] + " (bổ sung)")
    assert revised.revision
    assert (revised.report_id, revised.period, revised.urgent) == (plain.report_id, plain.period, plain.urgent)


# --- months without a year ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "received", "period", "confident"),
    [
        ("Báo cáo tháng 12", "2027-01-05", "2026-12", True),  # December report sent in January
        ("Báo cáo tháng 12", "2026-12-31", "2026-12", True),
        ("Báo cáo tháng 11", "2027-01-10", "2026-11", True),  # late, still last year
        ("Báo cáo tháng 1", "2026-12-28", "2027-01", False),  # one month ahead beats eleven back; a guess
        ("Báo cáo tháng 1", "2027-01-01", "2027-01", True),
        ("Báo cáo tháng 1", "2027-02-09", "2027-01", True),
        ("Báo cáo tháng 2", "2027-01-31", "2027-02", False),
        ("Báo cáo tháng 3", "2027-01-31", "2026-03", True),  # two months ahead is never chosen
        ("Báo cáo tháng 9", "2026-09-01", "2026-09", True),
        ("Báo cáo tháng 8", "2027-07-31", "2027-08", False),
        ("Báo cáo tháng 7", "2026-08-01", "2026-07", True),
    ],
)
def test_month_year_inference(content, received, period, confident):
    result = classify(content, _d(received))
    assert (result.report_id, result.period, result.confident) == ("monthly", period, confident), result.note


@pytest.mark.parametrize("month", range(1, 13))
def test_an_inferred_month_is_at_most_one_month_ahead_and_less_than_a_year_back(month):
    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        result = classify(f"BC T{month}", day)
        year, got = map(int, result.period.split("-"))
        distance = (year - day.year) * 12 + got - day.month
        assert got == month and -11 <= distance <= 1, (day, result)
        assert result.confident == (distance <= 0), (day, result)
        day += timedelta(days=9)


def test_a_stated_year_is_kept_but_a_far_one_is_not_confident():
    assert classify("Báo cáo tháng 12/2026", _d("2027-01-05")).confident
    old = classify("Báo cáo tháng 9/2024", _d("2026-10-05"))
    assert (old.period, old.confident) == ("2024-09", False)
    assert classify("Báo cáo tháng 2/2027", _d("2026-12-30")).confident is False


@pytest.mark.parametrize("word", ["Giêng", "giêng", "GIENG", "Chạp", "chap"])
def test_lunar_months_are_never_january_or_december(word):
    result = classify(f"Báo cáo tháng {word}", _d("2027-02-10"))
    assert (result.report_id, result.period, result.confident) == ("monthly", None, False)
    assert "lunar" in result.note


@pytest.mark.parametrize(
    ("content", "report_id", "period"),
    [
        ("Báo cáo tháng 10/2026", "monthly", "2026-10"),  # month/year
        ("Báo cáo 10/2026", "monthly", "2026-10"),  # bare month/year
        ("BC T10/12", "monthly", "2026-10"),  # "T" says month: 12 is not a year
        ("Báo cáo ngày 10/12", "other", None),  # "ngày" says date
        ("Báo cáo ngày 10/12/2026", "other", None),
        ("Báo cáo tình hình ngày 10 tháng 12 năm 2026", "other", None),
        ("Báo cáo 10/12", "other", None),  # nothing says month
        ("Báo cáo tháng 11 (chốt số liệu ngày 10/12)", "monthly", "2026-11"),
    ],
)
def test_month_or_date_is_decided_by_the_preceding_word(content, report_id, period):
    result = classify(content, _d("2026-12-10"))
    assert (result.report_id, result.period) == (report_id, period), result.note


# --- quarters, halves, nine months -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "received", "period", "confident"),
    [
        ("BC quý I", "2027-02-27", "2027-Q1", True),
        ("BC quý I", "2027-01-02", "2027-Q1", True),
        ("BC quý I", "2026-12-20", "2026-Q1", False),  # calendar year of receipt, flagged
        ("BC 6 tháng", "2027-04-29", "2027-H1", True),
        ("BC 6 tháng", "2027-01-10", "2026-H1", False),  # before the window opens: last year's
        ("BC 9 tháng", "2026-09-01", "2026-9M", True),
        ("BC 9 tháng", "2026-06-15", "2026-9M", False),
        ("BC 9 tháng", "2027-01-04", "2026-9M", False),
        ("BC 9 tháng năm 2026", "2027-01-04", "2026-9M", True),
    ],
)
def test_calendar_periods_without_a_year(content, received, period, confident):
    result = classify(content, _d(received))
    assert (result.period, result.confident) == (period, confident), result.note


def test_quarters_other_than_the_first_are_other_but_keep_the_quarter():
    result = classify("Báo cáo quý IV", _d("2027-01-05"))
    assert (result.report_id, result.period, result.confident) == ("other", "2026-Q4", False)
    assert classify("Báo cáo quý II", _d("2027-04-10")).period == "2027-Q2"


# --- school years ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "received", "period"),
    [
        ("BC chuẩn bị năm học mới", "2026-07-31", "2026-2027"),  # July: the coming year
        ("BC chuẩn bị năm học mới", "2026-08-01", "2026-2027"),
        ("BC chuẩn bị năm học mới", "2026-06-15", "2026-2027"),
        ("Báo cáo khai giảng", "2026-09-06", "2026-2027"),
        ("Báo cáo khai giảng", "2027-07-31", "2027-2028"),
        ("Báo cáo sơ kết HKI", "2027-01-15", "2026-2027-HK1"),
        ("Báo cáo sơ kết HKI", "2026-07-31", "2025-2026-HK1"),  # Aug..Jul
        ("Báo cáo sơ kết HKI", "2026-08-01", "2026-2027-HK1"),
        ("Báo cáo sơ kết HKII", "2027-05-20", "2026-2027-HK2"),
        ("Báo cáo tổng kết năm học", "2027-05-28", "2026-2027"),
        ("Báo cáo tổng kết năm học", "2027-07-31", "2026-2027"),
        ("Báo cáo tổng kết năm học", "2027-08-01", "2026-2027"),  # the year just ended, not 2027-2028
        ("TK NH 26-27", "2027-09-01", "2026-2027"),
        ("Báo cáo tổng kết năm học 2026 - 2027", "2027-05-28", "2026-2027"),
        ("Báo cáo tháng 1 năm học 2026-2027", "2027-02-05", "2027-01"),
        ("Báo cáo tháng 9 NH 26-27", "2026-10-05", "2026-09"),
    ],
)
def test_school_year_inference(content, received, period):
    assert classify(content, _d(received)).period == period


@pytest.mark.parametrize(
    "text", ["2026-2027", "2026 - 2027", "2026–2027", "2026/2027", "2026-27", "NH 26-27", "NH26-27", "nh 26 - 27"]
)
def test_school_year_spellings(text):
    result = classify(f"Báo cáo tổng kết năm học {text}", _d("2027-06-01"))
    assert result.period == "2026-2027", result.note


def test_a_school_year_that_is_not_consecutive_is_not_a_school_year():
    result = classify("Báo cáo tổng kết năm học 2026-2028", _d("2027-06-01"))
    assert result.period == "2026-2027"  # inferred from the date, the stated pair ignored


# --- urgent, revision, other ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "word", ["KHẨN", "Hỏa tốc", "Hoả tốc", "đột xuất", "báo cáo nhanh", "gấp", "sự cố", "THƯỢNG KHẨN", "bc gap"]
)
def test_urgent_reports_carry_the_received_day(word):
    result = classify(f"{word}: tình hình mưa bão", _d("2026-11-05"))
    assert (result.report_id, result.period, result.urgent, result.confident) == ("urgent", "2026-11-05", True, True)


def test_the_received_date_may_be_a_local_datetime():
    result = classify("Báo cáo đột xuất", datetime(2026, 11, 5, 23, 59))
    assert result.period == "2026-11-05"


@pytest.mark.parametrize(
    "word", ["bổ sung", "điều chỉnh", "gửi lại", "lần 2", "cập nhật", "thay thế", "sửa đổi", "đính chính", "BS lần 3"]
)
def test_revision_words(word):
    result = classify(f"Báo cáo tháng 10/2026 ({word})", _d("2026-11-12"))
    assert (result.report_id, result.period, result.revision) == ("monthly", "2026-10", True)


@pytest.mark.parametrize(
    "content", ["Báo cáo tháng 10 (lần 1)", "Báo cáo đợt 2 tháng 10", "Báo cáo nhu cầu bổ sung giáo viên"]
)
def test_not_revisions(content):
    assert classify(content, _d("2026-11-05")).revision is False


@pytest.mark.parametrize(
    "content", ["", "   ", "Báo cáo", "Gửi file đính kèm", "Báo cáo quỹ hội phí", "Báo cáo tuần 10", "Báo cáo khó khăn"]
)
def test_nothing_known_is_other_and_not_confident(content):
    result = classify(content, _d("2026-11-05"))
    assert (result.report_id, result.period, result.confident) == ("other", None, False)
    assert result.note


# --- one-off ids from `extra` --------------------------------------------------------------------------
def test_extra_is_checked_before_the_grammar():
    content = "Báo cáo tháng 12 và đề xuất sửa chữa CSVC"
    assert classify(content, _d("2027-01-06")).report_id == "monthly"
    result = classify(content, _d("2027-01-06"), EXTRA)
    assert (result.report_id, result.period, result.confident) == ("csvc_2026", "once", True)


def test_extra_phrases_are_folded_and_matched_as_whole_words():
    extra = {"csvc_2026": ["Cơ sở vật chất"], "pcgd": "PCGD-XMC"}  # a bare string is one phrase
    assert classify("BC CO SO VAT CHAT", _d("2026-10-05"), extra).report_id == "csvc_2026"
    assert classify("Báo cáo PCGD XMC năm 2026", _d("2026-10-05"), extra).report_id == "pcgd"
    assert classify("Báo cáo PCGD", _d("2026-10-05"), extra).report_id == "other"
    assert classify("Báo cáo csvcx", _d("2026-10-05"), {"csvc_2026": ["csvc"]}).report_id == "other"
    assert classify("Báo cáo", _d("2026-10-05"), {"empty": ["", "  ", "--"]}).report_id == "other"


def test_the_first_named_one_off_wins():
    extra = {"attp": ["attp"], "csvc_2026": ["csvc"]}
    assert classify("BC CSVC và ATTP", _d("2026-10-05"), extra).report_id == "csvc_2026"
    assert classify("BC ATTP và CSVC", _d("2026-10-05"), extra).report_id == "attp"


def test_a_one_off_keeps_the_flags():
    result = classify("KHẨN: báo cáo thiệt hại CSVC do bão (bổ sung)", _d("2026-11-06"), EXTRA)
    assert (result.report_id, result.period, result.urgent, result.revision) == ("csvc_2026", "once", True, True)


# --- the result --------------------------------------------------------------------------------------------
def test_the_result_is_frozen_and_explained_in_plain_ascii():
    result = classify("BC T9/2026", _d("2026-10-05"))
    assert result == Classification("monthly", "2026-09", False, False, True, result.note)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.period = "2026-10"  # type: ignore[misc]
    for row in ROWS:
        note = _classify_row(row).note
        assert note and note.isascii() and len(note) < 120, (row["id"], note)


def test_two_reports_named_are_not_confident():
    result = classify("Báo cáo tổng kết năm học và chuẩn bị năm học mới", _d("2026-07-20"))
    assert (result.report_id, result.confident) == ("review_year", False)
    assert "year_prep" in result.note
    # the letter's own wording is one report
    both = classify("Báo cáo chuẩn bị năm học mới và tổ chức khai giảng", _d("2026-09-04"))
    assert (both.report_id, both.confident) == ("opening", True)
