"""Report type and period from the content part of a subject ("Báo cáo tháng 9/2026 (bổ sung)").

Pure and stdlib-only. The caller has already removed the unit name, prefixes and tags and repaired legacy
encodings; `received` is the local (Asia/Ho_Chi_Minh) date the mail arrived. Matching is on folded text
(mailbot.core.text.fold: no accents, đ→d, lower case), so "BÁO CÁO THÁNG 9", "bao cao thang 9" and
"BC T9" are the same. Separators between numbers ("9/2026", "2026-2027", "10.2026") are kept in a second
folded form because they decide between month/year, day/month and school year.

Decision order: one-off ids from `extra` → "đột xuất"/"sự cố" (event reports) → the periodic grammar
(opening, year-prep, reviews, six/nine months, quarters, months) → the other urgency words alone → other.
When several periodic reports are named the first one wins and the result is not confident; a period
after "phương hướng"/"kế hoạch"/"KH" is next period's plan and does not count ("Báo cáo tháng 10 và
phương hướng tháng 11" is October). Dates ("ngày 10/12", "10/12/2026") are never periods.

Periods and years (docs/vietnamese-notes.md §6):
- month without a year: the year that puts the month closest to the received date and at most one month
  ahead ("tháng 12" on 5/1/2027 is 2026-12; "tháng 1" on 28/12/2026 is 2027-01, not confident);
- quarter/half/nine months without a year: the calendar year of receipt, unless the mail comes before the
  sending window opens (9 months received January-May is last year's);
- school year: Aug..Jul, except year-prep/opening received May-July (the coming year) and semester-II and
  year reviews, which are about the school year that ends in the calendar year of receipt;
- urgent: the received day; one-off ids: "once".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from mailbot.core.text import fold, nfc

__all__ = ["Classification", "classify"]


@dataclass(frozen=True)
class Classification:
    report_id: str  # "monthly" | "q1" | "six_month" | "nine_month" | "year_prep" | "opening" | "urgent" |
    # "review_hk1" | "review_hk2" | "review_year" | a one-off id from `extra` | "other"
    period: str | None  # "2026-10", "2027-Q1", "2027-H1", "2027-9M", "2026-2027", "2026-2027-HK1", "2026-11-05", "once"
    revision: bool  # bổ sung, điều chỉnh, gửi lại, lần 2, cập nhật, thay thế, sửa đổi …
    urgent: bool  # khẩn, hỏa tốc, đột xuất, báo cáo nhanh, gấp, sự cố, thượng khẩn
    confident: bool  # False when it guessed (the note says why)
    note: str  # short English explanation


_NO_EXTRA: Mapping[str, Sequence[str]] = MappingProxyType({})

# ---------------------------------------------------------------------------------------------------------
# Text forms
_SEPARATORS = re.compile(r"\s*([/.,\-\u2010\u2011\u2012\u2013\u2014\u2212])\s*")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
_WORD = re.compile(r"[^\W_]+")


def _key(text: str) -> str:
    """Folded text that keeps / . , - as separate tokens: "Tháng 09–2026" -> "thang 09 - 2026"."""
    parts = _SEPARATORS.split(nfc(text))
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(" - " if part in _DASHES else f" {part} ")
        else:
            out.append(f" {fold(part)} ")
    return " ".join("".join(out).split())


def _words(text: str) -> list[tuple[str, str]]:
    """(folded word, original lower-case word) pairs, for the few words whose accents matter."""
    pairs: list[tuple[str, str]] = []
    for match in _WORD.finditer(nfc(text)):
        original = match.group().lower()
        for folded in fold(original).split():
            pairs.append((folded, original))
    return pairs


# ---------------------------------------------------------------------------------------------------------
# Numbers, dates and years
_SEP = r"\s*[/.\-]\s*"
_DATES = (
    # "ngày 10/12", "ngày 10-12-2026", "ngày 10 tháng 12 năm 2026"
    re.compile(
        rf"\bngay\s+\d{{1,2}}(?:{_SEP}\d{{1,2}}(?:{_SEP}\d{{2,4}})?|\s+thang\s+\d{{1,2}}(?:\s+nam\s+\d{{4}})?)\b"
    ),
    re.compile(rf"\b\d{{1,2}}{_SEP}\d{{1,2}}{_SEP}(?:20)?\d\d\b"),  # bare day/month/year
)
_SCHOOL_YEAR = (
    re.compile(r"\b(20\d\d)\s*[-/]\s*(20\d\d)\b"),  # 2026-2027, 2026 - 2027
    re.compile(r"\b(20\d\d)\s*-\s*(\d\d)\b"),  # 2026-27
    re.compile(r"\b(?:nh|nam\s+hoc)\s*(\d\d)\s*-\s*(\d\d)\b"),  # NH 26-27
)
_YEAR = re.compile(r"\b(20\d\d)\b")

# ---------------------------------------------------------------------------------------------------------
# The grammar (on the key form)
_MONTH_WORDS = {
    "muoi hai": 12, "muoi mot": 11, "muoi": 10, "mot": 1, "gieng": 0, "chap": 0, "hai": 2, "ba": 3, "tu": 4,
    "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}  # 0 = lunar month (Giêng, Chạp): never January or December
_MONTH_WORD = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
_MONTH_LEAD = r"(?:thang|thangs|thag|thnag|tahng|thg|th|t)"
_MONTH = re.compile(
    # not after a count ("9 tháng năm 2023" is nine months), but "T9 T10" is two months
    rf"(?<!\b\d)(?<!\b\d\d)(?<!\b\d\s)(?<!\b\d\d\s)(?<!sau\s)(?<!chin\s)\b{_MONTH_LEAD}\s*(?:\.\s*)?"
    rf"(?:(\d{{1,2}})(?!\d)|({_MONTH_WORD})\b(?!\s+hoc\b)(?<!mot(?=\s+so\b)))"
    rf"(?:{_SEP}(20\d\d|[2-4]\d)\b|\s*(?:-\s*)?(?:nam\s+)?(20\d\d)\b)?"
)
_MONTH_MORE = re.compile(rf"^\s*(?:,|-|va|&|den)\s*(?:{_MONTH_LEAD}\s*)?(\d{{1,2}})\b(?!{_SEP}\d)")
_MONTH_BARE = re.compile(rf"\b(\d{{1,2}}){_SEP}(20\d\d)\b")  # "Báo cáo 10/2026"
_MONTHLY_WORDS = re.compile(r"\b(?:bao\s+cao|bc)\s+(?:dinh\s+ky\s+)?(?:hang\s+)?thang\b(?!\s*\.?\s*\d)")
_QUARTER = re.compile(r"\b(?:quy|quys|q)\s*\.?\s*(iv|iii|ii|i|[1-4])\b")
_Q1_WORDS = re.compile(r"\b0?3\s*thang\s+dau\s+nam\b(?!\s+hoc)")
# "trẻ từ 6 tháng đến 36 tháng tuổi" is an age, not a period
_NOT_AGE_BEFORE = r"(?<!\bden\s)(?<!\btu\s)"
_NOT_AGE_AFTER = r"(?!\s+(?:tuoi|den)\b)"
_HALF = re.compile(
    rf"{_NOT_AGE_BEFORE}\b(?:0?6|sau)\s*(?:thang|t)\b{_NOT_AGE_AFTER}(?:\s+(dau|cuoi)\s+nam(\s+hoc)?)?|\bnua\s+nam\b"
)
_NINE = re.compile(rf"{_NOT_AGE_BEFORE}\b(?:0?9|chin)\s*(?:thang|t)\b{_NOT_AGE_AFTER}")
_OPENING = re.compile(r"\b(?:khai\s+giang|tuu\s+truong)\b|(?<!\d)(?<!\d\s)\bkg\b")  # "500 kg" is a weight
_PREP = re.compile(r"\b(?:chuan\s+bi|cb)\s+(?:cho\s+)?(?:nam\s+hoc|nh)\b|\bcbnh\b|\b(?:nam\s+hoc|nh)\s+moi\b")
_REVIEW_HK = re.compile(  # not "kiểm tra cuối HKI" (end-of-term tests)
    r"(?<!kiem tra )(?<!thi )\b(so\s+ket|sk|tong\s+ket|tk|cuoi)\s+(?:hk|hoc\s*k[yi])\s*\.?\s*(ii|i|2|1|hai|mot)\b"
)
_REVIEW_YEAR = re.compile(r"(?<!kiem tra )(?<!thi )\b(?:tong\s+ket|tk|cuoi)\s+(?:nam\s+hoc|nh)\b|\btknh\b")
# what follows "phương hướng", "kế hoạch", "KH", "dự kiến" is next period's plan, not the report's period
_PLAN = re.compile(r"\b(?:phuong\s+huong|ke\s+hoach|kh|du\s+kien)(?:\s+[a-z]+){0,2}\s*$")
_SO_KET = re.compile(r"\bso\s+ket\b")
_TONG_KET = re.compile(r"\btong\s+ket\b(?!\s+nam\s+20\d\d)")
_MIDTERM = re.compile(r"\bgiua\s+(?:hk|hoc\s*k[yi])")
_REPORT_OF_SEMESTER = re.compile(r"\b(?:bao\s+cao|bc)\s+(?:hk|hoc\s*k[yi])\s*\.?\s*(ii|i|2|1)\b")

# ---------------------------------------------------------------------------------------------------------
# Flags
_REVISION = re.compile(
    r"\b(?:bo\s+sung|dieu\s+chinh|gui\s+lai|goi\s+lai|nop\s+lai|cap\s+nhat|thay\s+the|sua\s+doi|chinh\s+sua|"
    r"sua\s+lai|dinh\s+chinh|ban\s+sua|lan\s+(?:thu\s+)?(?:[2-9]|hai|ba))\b"
)
# a topic, not a resubmission: "nhu cầu bổ sung giáo viên", "cập nhật dữ liệu"
_TOPIC_BEFORE = re.compile(r"\b(?:nhu\s+cau|de\s+xuat|de\s+nghi|xin|can)\s*$")
_TOPIC_AFTER = re.compile(r"^\s*(?:du\s+lieu|csdl|phan\s+mem)\b")
_EVENT = re.compile(r"\bdot\s+xuat\b")  # unscheduled: always the urgent report
_URGENT = re.compile(r"\b(?:hoa\s+toc|bao\s+cao\s+nhanh|bc\s+nhanh)\b")
_NOT_KHAN = {"quang", "giay", "tay", "mat", "tam", "tran"}  # khăn quàng, khăn giấy, …
_NOT_GAP = {"doi", "ba", "nhieu", "ruoi", "kho", "nan", "su", "go", "mat", "phai", "van", "truc"}

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4, "mot": 1, "hai": 2}


def classify(content: str, received: date, extra: Mapping[str, Sequence[str]] = _NO_EXTRA) -> Classification:
    """Report type and period of a subject's content part; see the module docstring for the rules."""
    if isinstance(received, datetime):
        received = received.date()
    key = _key(content)
    words = _words(content)
    revision = any(
        not (_TOPIC_BEFORE.search(key[: m.start()]) and m.group().startswith("bo"))
        and not (_TOPIC_AFTER.match(key[m.end() :]) and m.group().startswith("cap"))
        for m in _REVISION.finditer(key)
    )
    event, urgent = _urgency(key, words)
    result = _classify(key, received, extra, event, urgent)
    return Classification(
        result.report_id, result.period, revision, urgent or event, result.confident, result.note
    )


_Candidate = tuple[int, str, bool, re.Match[str]]  # a report named in the text: position, kind, strong, match


@dataclass(frozen=True)
class _Found:
    report_id: str
    period: str | None
    confident: bool
    note: str


def _classify(key: str, received: date, extra: Mapping[str, Sequence[str]], event: bool, urgent: bool) -> _Found:
    one_off = _one_off(key, extra)
    if one_off is not None:
        return _Found(one_off[0], "once", True, f"one-off report: matched {one_off[1]!r}")
    if event:
        return _Found("urgent", received.isoformat(), True, "unscheduled report ('dot xuat'/'su co'): received day")

    text, school_year = _strip_dates_and_school_year(key)
    candidates = _periodic(text)
    reported = [c for c in candidates if not _is_plan(text, c[0])] or candidates
    strong = [c for c in reported if c[2]]
    chosen = sorted(strong or reported, key=lambda candidate: candidate[0])
    if chosen:
        _, kind, _, match = _first(chosen)
        found = _resolve(kind, match, text, received, school_year)
        others = sorted({_LABELS.get(c[1], c[1]) for c in strong if c[1] != kind and not _compatible(kind, c[1])})
        if others:
            found = _Found(found.report_id, found.period, False, f"{found.note}; also names {', '.join(others)}")
        return found
    if urgent:
        return _Found("urgent", received.isoformat(), True, "urgency word and no periodic report: received day")
    period = school_year[0] if school_year else None
    note = "no known report named" + (f"; school year {period} stated" if period else "")
    return _Found("other", period, False, note)


def _is_plan(text: str, position: int) -> bool:
    return bool(_PLAN.search(text[:position]))


_LABELS = {"quarter_2": "Q2", "quarter_3": "Q3", "quarter_4": "Q4", "half_2": "H2"}


def _first(candidates: list[_Candidate]) -> _Candidate:
    """The first named wins, except that opening beats year-prep ("chuẩn bị năm học mới và khai giảng")."""
    if candidates[0][1] == "year_prep":
        return next((c for c in candidates if c[1] == "opening"), candidates[0])
    return candidates[0]


def _compatible(first: str, second: str) -> bool:
    """Pairs that are one report: "chuẩn bị và tổ chức khai giảng", "sơ kết 6 tháng"."""
    return {first, second} in ({"opening", "year_prep"}, {"six_month", "review_hk1"})


# ---------------------------------------------------------------------------------------------------------
def _one_off(key: str, extra: Mapping[str, Sequence[str]]) -> tuple[str, str] | None:
    if not extra:
        return None
    padded = f" {fold(key)} "
    best: tuple[int, int, str, str] | None = None
    for report_id, phrases in extra.items():
        for phrase in [phrases] if isinstance(phrases, str) else phrases:
            folded = fold(phrase)
            if not folded:
                continue
            at = padded.find(f" {folded} ")
            if at >= 0 and (best is None or (at, -len(folded)) < (best[0], best[1])):
                best = (at, -len(folded), report_id, folded)
    return (best[2], best[3]) if best else None


def _urgency(key: str, words: list[tuple[str, str]]) -> tuple[bool, bool]:
    """(event, urgent): "đột xuất"/"sự cố" make the urgent report; khẩn, gấp, hỏa tốc, báo cáo nhanh only flag."""
    event = bool(_EVENT.search(key))
    urgent = bool(_URGENT.search(key))
    for index, (folded, original) in enumerate(words):
        before = words[index - 1][0] if index else ""
        after = words[index + 1][0] if index + 1 < len(words) else ""
        if folded == "khan" and original in ("khẩn", "khan") and before != "kho" and after not in _NOT_KHAN:
            urgent = True
        elif folded == "gap" and original in ("gấp", "gap") and after not in _NOT_GAP:
            urgent = True
        elif folded == "su" and after == "co" and original in ("sự", "su") and words[index + 1][1] in ("cố", "co"):
            event = True
    return event, urgent


def _strip_dates_and_school_year(key: str) -> tuple[str, tuple[str, int] | None]:
    """Remove dates (never a period) and school years; return the rest and the first school year stated."""
    for pattern in _DATES:
        key = pattern.sub(" ", key)
    school_year: tuple[str, int] | None = None
    for pattern in _SCHOOL_YEAR:
        for match in pattern.finditer(key):
            start, end = (int(g) for g in match.groups())
            start = start if start >= 100 else 2000 + start
            end = end if end >= 100 else 2000 + end
            if end == start + 1:
                if school_year is None or match.start() < school_year[1]:
                    school_year = (f"{start}-{end}", match.start())
                key = key[: match.start(1)] + " " * (match.end() - match.start(1)) + key[match.end() :]
    return key, school_year


def _periodic(text: str) -> list[_Candidate]:
    """Every periodic report the text names: (position, kind, strong, match)."""
    found: list[_Candidate] = []

    def add(pattern: re.Pattern[str], kind: str, strong: bool = True) -> None:
        for match in pattern.finditer(text):
            found.append((match.start(), kind, strong, match))

    add(_OPENING, "opening")
    add(_PREP, "year_prep")
    for match in _REVIEW_HK.finditer(text):
        found.append((match.start(), f"review_hk{_ROMAN[match.group(2)]}", True, match))
    add(_REVIEW_YEAR, "review_year")
    for match in _HALF.finditer(text):
        kind = "review_hk1" if match.group(2) else ("half_2" if match.group(1) == "cuoi" else "six_month")
        found.append((match.start(), kind, True, match))
    add(_NINE, "nine_month")
    add(_Q1_WORDS, "q1")
    for match in _QUARTER.finditer(text):
        quarter = _ROMAN[match.group(1)]
        found.append((match.start(), "q1" if quarter == 1 else f"quarter_{quarter}", True, match))
    for match in _MONTH.finditer(text):
        number = match.group(1)
        if number is not None and not 1 <= int(number) <= 12:
            continue
        found.append((match.start(), "monthly", True, match))
    # weak: named without enough detail; used only when nothing strong is named
    if not _MIDTERM.search(text):
        for match in _REPORT_OF_SEMESTER.finditer(text):
            found.append((match.start(), f"review_hk{_ROMAN[match.group(1)]}", False, match))
    add(_SO_KET, "review_hk1", False)
    add(_TONG_KET, "review_year", False)
    add(_MONTHLY_WORDS, "monthly_unnumbered", False)
    for match in _MONTH_BARE.finditer(text):
        if 1 <= int(match.group(1)) <= 12:
            found.append((match.start(), "monthly_bare", False, match))
    return found


# ---------------------------------------------------------------------------------------------------------
def _resolve(
    kind: str, match: re.Match[str], text: str, received: date, school_year: tuple[str, int] | None
) -> _Found:
    stated = school_year[0] if school_year else None
    if kind in ("monthly", "monthly_bare", "monthly_unnumbered"):
        return _monthly(kind, match, text, received, stated)
    if kind in ("q1", "six_month", "nine_month"):
        return _calendar_part(kind, text, received)
    if kind.startswith("quarter_") or kind == "half_2":
        return _unscheduled_part(kind, text, received)
    return _school_part(kind, match, text, received, stated)


def _monthly(kind: str, match: re.Match[str], text: str, received: date, stated: str | None) -> _Found:
    if kind == "monthly_unnumbered":
        back = 1 if received.day <= 15 else 0
        year, month = divmod(received.year * 12 + received.month - 1 - back, 12)
        which = "previous" if back else "current"
        note = f"monthly report without a month number: guessed the {which} month"
        return _Found("monthly", f"{year}-{month + 1:02d}", False, note)
    if kind == "monthly_bare":
        month, year = int(match.group(1)), int(match.group(2))
        return _stated_month(month, year, received, "bare month/year")
    number, word = match.group(1), match.group(2)
    month = int(number) if number is not None else _MONTH_WORDS[word]
    if month == 0:
        return _Found("monthly", None, False, f"lunar month 'thang {word}': not mapped to a calendar month")
    months = {month}
    following = _MONTH_MORE.match(text[match.end() :])  # "tháng 9, 10", "tháng 9 và 10", "tháng 9-10"
    if following and 1 <= int(following.group(1)) <= 12:
        months.add(int(following.group(1)))
    plan = _is_plan(text, match.start())
    for other in _MONTH.finditer(text):
        if other.start() == match.start() or (_is_plan(text, other.start()) and not plan):
            continue
        if other.group(1) and 1 <= int(other.group(1)) <= 12:
            months.add(int(other.group(1)))
    if len(months) > 1:
        return _Found("monthly", None, False, f"several months named ({', '.join(map(str, sorted(months)))})")
    year_text = match.group(3) or match.group(4)
    if year_text:
        year = int(year_text) if len(year_text) == 4 else 2000 + int(year_text)
        return _stated_month(month, year, received, "month and year stated")
    if stated:
        start = int(stated[:4])
        year = start if month >= 8 else start + 1
        return _Found("monthly", f"{year}-{month:02d}", True, f"month {month} of stated school year {stated}")
    years = _YEAR.findall(text)
    if len(set(years)) == 1:
        return _stated_month(month, int(years[0]), received, "month with a year elsewhere in the subject")
    year, ahead = _month_year(month, received)
    which = "next month, not last year's" if ahead else "nearest past or current month"
    return _Found("monthly", f"{year}-{month:02d}", not ahead, f"month {month} without a year: {which}")


def _stated_month(month: int, year: int, received: date, how: str) -> _Found:
    distance = (year - received.year) * 12 + month - received.month
    if -12 <= distance <= 1:
        return _Found("monthly", f"{year}-{month:02d}", True, how)
    return _Found("monthly", f"{year}-{month:02d}", False, f"{how}, but far from the received date")


def _month_year(month: int, received: date) -> tuple[int, bool]:
    """Year for a month named without one: nearest to `received`, at most one month ahead. (year, ahead)."""
    best: tuple[int, int] | None = None
    for year in (received.year - 1, received.year, received.year + 1):
        distance = (year - received.year) * 12 + month - received.month
        if -11 <= distance <= 1 and (best is None or abs(distance) < abs(best[1])):
            best = (year, distance)
    assert best is not None
    return best[0], best[1] == 1


_WINDOW = {"q1": (3, "Q1"), "six_month": (5, "H1"), "nine_month": (9, "9M")}  # deadline month, period suffix


def _calendar_part(kind: str, text: str, received: date) -> _Found:
    due, suffix = _WINDOW[kind]
    years = _YEAR.findall(text)
    if years:
        year = int(years[0])
        confident = abs(year - received.year) <= 1
        note = "year stated" + ("" if confident else ", far from the received date")
        return _Found(kind, f"{year}-{suffix}", confident, note)
    year = received.year if received.month >= due - 3 else received.year - 1
    confident = due - 2 <= received.month <= due + 2
    why = "calendar year of receipt" if year == received.year else "received before the sending window: last year's"
    note = f"no year: {why}" + ("" if confident else " (outside the usual window)")
    return _Found(kind, f"{year}-{suffix}", confident, note)


def _unscheduled_part(kind: str, text: str, received: date) -> _Found:
    if kind == "half_2":
        first_month, suffix = 7, "H2"
    else:
        quarter = int(kind[-1])
        first_month, suffix = 3 * quarter - 2, f"Q{quarter}"
    years = _YEAR.findall(text)
    year = int(years[0]) if years else _month_year(first_month, received)[0]
    return _Found("other", f"{year}-{suffix}", False, f"{suffix} is not in the letter's schedule")


def _school_part(kind: str, match: re.Match[str], text: str, received: date, stated: str | None) -> _Found:
    report_id = {"opening": "opening", "year_prep": "year_prep", "review_year": "review_year"}.get(kind, kind)
    suffix = {"review_hk1": "-HK1", "review_hk2": "-HK2"}.get(report_id, "")
    weak = match.re in (_SO_KET, _TONG_KET, _REPORT_OF_SEMESTER)
    if stated:
        start = int(stated[:4])
        inferred = _school_year_start(report_id, received)
        confident = not weak and abs(start - inferred) <= 1
        return _Found(report_id, f"{stated}{suffix}", confident, f"school year {stated} stated")
    years = _YEAR.findall(text)
    if years and report_id in ("opening", "year_prep"):
        start = int(years[0])
        return _Found(report_id, f"{start}-{start + 1}", True, f"year {start} taken as the start of the school year")
    start = _school_year_start(report_id, received)
    month = received.month
    if report_id in ("opening", "year_prep"):
        confident = month >= 5
        rule = "school year starting the coming August" if 5 <= month <= 7 else "Aug..Jul school year"
    elif report_id == "review_hk1":
        confident = not 8 <= month <= 10
        rule = "Aug..Jul school year"
    else:
        confident = 4 <= month <= 9
        rule = "school year ending this calendar year"
    note = f"no school year: {rule}"
    if weak:
        confident = False
        note = f"'{match.group().strip()}' alone taken as {report_id}; {note}"
    elif not confident:
        note += " (unusual time of year)"
    return _Found(report_id, f"{start}-{start + 1}{suffix}", confident, note)


def _school_year_start(report_id: str, received: date) -> int:
    year, month = received.year, received.month
    if report_id in ("opening", "year_prep"):
        return year if month >= 5 else year - 1
    if report_id in ("review_hk2", "review_year"):
        return year - 1
    return year if month >= 8 else year - 1
