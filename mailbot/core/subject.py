"""Subject grammar: "Tên đơn vị - nội dung", after reply/forward prefixes and tags are stripped."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailbot.core.text import nfc
from mailbot.core.units import Registry, Unit

_PREFIX = re.compile(
    r"^\s*(?:re|fwd?|tl|ct|trả\s*lời|chuyển\s*tiếp)\s*(?:\[\d+\])?\s*:\s*", re.IGNORECASE
)
_TAG = re.compile(r"^\s*\[[^\]]{0,40}\]\s*")
# hyphen, en dash, em dash, minus sign, and the colon/pipe clerks also use
_SEPARATOR = re.compile(r"\s*[-‐–—−:|]+\s*")


@dataclass(frozen=True)
class SubjectParts:
    cleaned: str  # the subject without prefixes and tags
    unit_text: str | None  # the part that should name the unit
    content: str  # what is being sent
    units: tuple[Unit, ...]  # registry units named by unit_text
    has_separator: bool


def strip_prefixes(subject: str) -> str:
    """Remove Re:/Fwd:/TL:/Trả lời:/… prefixes and leading [tags], repeatedly."""
    text = nfc(subject)
    while True:
        stripped = _TAG.sub("", _PREFIX.sub("", text), count=1)
        if stripped == text:
            return text
        text = stripped


def parse_subject(subject: str, registry: Registry) -> SubjectParts:
    """Find the unit name before a separator (or before the content, when the separator is missing)."""
    cleaned = strip_prefixes(subject)
    separators = list(_SEPARATOR.finditer(cleaned))
    # a unit name may itself hold a hyphen ("Phòng GD-ĐT"): the longest name that matches wins
    for sep in reversed(separators):
        units = registry.match_name(cleaned[: sep.start()])
        if units:
            return SubjectParts(cleaned, cleaned[: sep.start()], cleaned[sep.end():].strip(), tuple(units), True)
    if not separators:
        words = cleaned.split(" ")
        for k in range(len(words) - 1, 0, -1):
            units = registry.match_name(" ".join(words[:k]))
            if units:
                return SubjectParts(cleaned, " ".join(words[:k]), " ".join(words[k:]), tuple(units), False)
        units = registry.match_name(cleaned) if cleaned else []
        if units:
            return SubjectParts(cleaned, cleaned, "", tuple(units), False)
        return SubjectParts(cleaned, None, cleaned, (), False)
    first = next((s for s in separators if s.start() > 0), separators[0])
    unit_text = cleaned[: first.start()].strip() or None
    return SubjectParts(cleaned, unit_text, cleaned[first.end():].strip(), (), True)


def example_subject(unit: Unit | None, content: str) -> str:
    """The subject the school should have written, built from its own unit and content."""
    name = unit.subject_name if unit else "Tên đơn vị"
    return f"{name} - {content.strip() or 'Báo cáo tháng …'}"
