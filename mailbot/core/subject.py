"""Subject grammar: "Tên đơn vị - nội dung", the way clerks really write it.

Reply/forward prefixes, [tags] and urgency words are stripped first. The unit is then looked for,
in this order: before a separator, at the start with no separator, after a separator (reversed
order), at the end with no separator ("… của Trường THCS X", "… (THCS X)"). The longest name that
matches wins, so "Phòng GD-ĐT Bình Đại - …" is not cut at its own hyphen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailbot.core.text import fold, nfc
from mailbot.core.units import Registry, Unit

_PREFIX = re.compile(
    r"^\s*(?:re|aw|sv|fwd?|tl|ct|trả\s*lời|tra\s*loi|chuyển\s*tiếp|chuyen\s*tiep)\s*(?:\[\d+\])?\s*:\s*",
    re.IGNORECASE,
)
_TAG = re.compile(r"^\s*\[[^\]]{0,40}\]\s*")
_URGENCY = ("thuong khan", "hoa toc", "khan", "gap")  # folded; "THƯỢNG KHẨN" before "KHẨN"
_URGENCY_TAIL = re.compile(r"^\s*[:!\-‐–—−|]+\s*")
# hyphen, dashes, minus sign, and the colon, pipe, slash, underscore, full stop and comma clerks also use
_SEPARATOR = re.compile(r"\s*[-‐–—−:|/_]+\s*|\s*[.,]\s+|(?<=\D)[.,](?=\D)")
_PUNCTUATION = " -‐–—−:|/_.,()"
_JOINER_AT_END = re.compile(r"\s+(?:của|cua)$", re.IGNORECASE)  # "Báo cáo tháng 9 của [Trường X]"
_JOINER_AT_START = re.compile(r"^(?:gửi|gui)\s+", re.IGNORECASE)  # "[THCS X] gửi báo cáo tháng 9"
# folded words that may stand around a unit name that is not set off by a separator
_BEFORE_UNIT = frozenset({"", "truong", "cua", "va", "voi", "cung", "tu"})  # "" is "+", "&", "("
_AFTER_UNIT = frozenset({
    "", "va", "voi", "cung", "gui", "nop", "bao", "bc", "ke", "kh", "danh", "ds", "to", "tt", "cong", "cv", "v",
    "tong", "so", "thong", "tb", "bien", "bb", "quyet", "qd", "de", "ho", "hs", "thang", "quy", "nam",
})
# words that start a unit's name: text before a separator that starts with one is a unit we do not know
_UNIT_WORDS = re.compile(
    r"^(?:truong|mn|mg|mam non|mau giao|th|tieu hoc|thcs|trung hoc|th thcs|thpt|pgd|phong|cum|diem truong|"
    r"c0|c1|c2|c12|tt|trung tam|xa|thi tran|ap|khu pho)\b"
)


@dataclass(frozen=True)
class SubjectParts:
    cleaned: str  # the subject without prefixes, tags and urgency words
    unit_text: str | None  # the part that names (or should name) the unit
    content: str  # what is being sent
    units: tuple[Unit, ...]  # registry units named by unit_text (several when the name is ambiguous)
    has_separator: bool
    reversed: bool = False  # the unit came after the content
    other_units: tuple[Unit, ...] = ()  # further reporting units named elsewhere in the subject


def strip_prefixes(subject: str) -> str:
    """Remove Re:/Fwd:/TL:/Trả lời:/… prefixes, leading [tags] and urgency words, repeatedly."""
    text = nfc(subject)
    while True:
        stripped = _strip_urgency(_TAG.sub("", _PREFIX.sub("", text), count=1))
        if stripped == text:
            return text
        text = stripped


def _strip_urgency(text: str) -> str:
    """"KHẨN:", "HỎA TỐC -", "GẤP!" at the start; never the word inside a sentence ("Gấp rút …")."""
    folded = fold(text[:20])
    for word in _URGENCY:
        if folded.startswith(word):
            rest = text[len(word) :]  # one folded letter per NFC character, so lengths agree
            if _URGENCY_TAIL.match(rest):
                return _URGENCY_TAIL.sub("", rest, count=1)
    return text


def parse_subject(subject: str, registry: Registry) -> SubjectParts:
    cleaned = strip_prefixes(subject)
    mentions = _clean_mentions(cleaned, registry)
    found = _find_unit(cleaned, registry)
    if found is None and mentions:
        # the unit stands in the middle ("Báo cáo tháng 11 - THCS X - bổ sung"), or two units are named
        first = mentions[0]
        at_start = fold(cleaned).removeprefix("truong ").startswith(fold(first.text))
        found = first.text, _remove(cleaned, first.text), first.units, bool(_separators(cleaned)), not at_start
    if found is None:
        return _without_unit(cleaned)
    unit_text, content, units, has_separator, is_reversed = found
    named = {u.unit_id for u in units}
    others: dict[str, Unit] = {}
    for mention in mentions:
        if not named & {u.unit_id for u in mention.units}:
            others.update((u.unit_id, u) for u in mention.units)
    return SubjectParts(
        cleaned,
        unit_text.strip(_PUNCTUATION),
        _tidy(content),
        units,
        has_separator,
        is_reversed,
        tuple(others[k] for k in sorted(others)),
    )


def _tidy(content: str) -> str:
    content = _JOINER_AT_END.sub("", content.strip(_PUNCTUATION)).strip(_PUNCTUATION)
    return _JOINER_AT_START.sub("", content).strip()


def _separators(text: str) -> list[re.Match[str]]:
    return [s for s in _SEPARATOR.finditer(text) if 0 < s.start() and s.end() < len(text)]


def _find_unit(text: str, registry: Registry) -> tuple[str, str, tuple[Unit, ...], bool, bool] | None:
    """The unit where the grammar puts it: before a separator (longest first), or after one."""
    separators = _separators(text)
    for sep in reversed(separators):
        units = registry.match_name(text[: sep.start()])
        if units:
            return text[: sep.start()], text[sep.end() :], tuple(units), True, False
    for sep in separators:  # reversed order: "Báo cáo tháng 9 - THCS Thới Lai"
        units = registry.match_name(text[sep.end() :])
        if units:
            return text[sep.end() :], text[: sep.start()], tuple(units), True, True
    units = registry.match_name(text) if text else []
    return (text, "", tuple(units), False, False) if units else None


@dataclass(frozen=True)
class _Mention:
    text: str
    units: tuple[Unit, ...]


def _clean_mentions(text: str, registry: Registry) -> list[_Mention]:
    """Unit names that stand on their own inside a part of the subject: at its start or end, or
    between joining words ("THCS X và TH Y", "Trường THCS X gửi báo cáo"). "THCS Vang Quới Đông"
    does not mention "THCS Vang Quới": the name runs on."""
    found = []
    for segment in re.split(_SEPARATOR, text):
        words = segment.split()
        tokens = [fold(w) for w in words]
        for m in registry.mentions(tokens):
            before_ok = m.start == 0 or tokens[m.start - 1] in _BEFORE_UNIT
            after_ok = m.end == len(tokens) or tokens[m.end] in _AFTER_UNIT
            if (before_ok and after_ok) or m.end == len(tokens):
                found.append(_Mention(" ".join(words[m.start : m.end]), m.units))
    return found


def _remove(text: str, part: str) -> str:
    return " - ".join(p for p in (seg.replace(part, " ").strip(_PUNCTUATION) for seg in re.split(_SEPARATOR, text)) if p)


def _looks_like_a_name(text: str) -> bool:
    """"Thới Lai", "Vang Quới Đông": a place or school name, not content ("Báo cáo tháng 10")."""
    words = text.split()
    return 2 <= len(words) <= 5 and all(
        len(w) > 1 and w[0].isupper() and not any(c.isdigit() for c in w) for w in words
    )


def _without_unit(cleaned: str) -> SubjectParts:
    """No registered unit anywhere: a unit-like name before a separator is an unknown unit."""
    separators = _separators(cleaned)
    if separators:
        head = cleaned[: separators[0].start()].strip()
        if _UNIT_WORDS.match(fold(head)) or _looks_like_a_name(head):
            return SubjectParts(cleaned, head, cleaned[separators[0].end() :].strip(), (), True)
    return SubjectParts(cleaned, None, cleaned.strip(_PUNCTUATION), (), bool(separators))


def example_subject(unit: Unit | None, content: str) -> str:
    """The subject the school should have written, built from its own unit and content."""
    name = unit.subject_name if unit else "Tên đơn vị"
    return f"{name} - {content.strip() or 'Báo cáo tháng …'}"
