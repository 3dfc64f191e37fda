"""mailbot.core.ime: subjects typed with the Vietnamese input method switched off (raw Telex or VIQR keystrokes)."""

from __future__ import annotations

import pytest

from mailbot.core.ime import typed_without_ime


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param("THCS Thowis Lai - Baos caos thangs 5", id="S206-telex"),
        pytest.param("MG Thanhj Trij - Baos caos thangs 10", id="N238-telex-nang"),
        pytest.param("Baos caos thangs 10", id="tone-keys"),
        pytest.param("baos caos", id="lower-case"),
        pytest.param("Phuwowcs Thanhj", id="horn-w-and-tone"),
        pytest.param("Ddaij hocj", id="dd-and-j"),
        pytest.param("THCS Tho+'i Lai - Ba'o ca'o tha'ng 5", id="S207-viqr"),
        pytest.param("Ba`o ca`o", id="viqr-grave"),
        pytest.param("BAOS CAOS thangs nayf", id="capitals-do-not-count-but-the-rest-does"),
    ],
)
def test_keystrokes_are_detected(subject: str) -> None:
    assert typed_without_ime(subject) is True


@pytest.mark.parametrize(
    "subject",
    [
        pytest.param("THCS Thoi Lai - Bao cao thang 10", id="no-diacritics-is-fine"),
        pytest.param("TH Long Hoa - Bao cao, Thang 10", id="comma-separator"),
        pytest.param("THCS THOI LAI - BAOS CAOS", id="all-capitals"),  # capitals are abbreviations, never counted
        pytest.param("THCS Thoi Lai - Baos cao thang 10", id="one-word-is-a-typo"),
        pytest.param("Tho+i Lai", id="one-viqr-word"),
        pytest.param("Report for October", id="english"),
        pytest.param("THCS Thoi Lai - Bao cao thang 10?", id="question-mark-at-the-end"),
        pytest.param("THCS Thoi Lai - Co nop khong? Bao cao.", id="question-then-sentence"),
        pytest.param("THCS Thới Lai - Baos caos thangs", id="real-accents-win"),  # not ASCII: the IME was on
        pytest.param("THCS Thới Lai - Báo cáo tháng 10", id="unicode"),
        pytest.param("", id="empty"),
        pytest.param("TH&THCS Tam Hiep - BC 9 thang", id="abbreviations"),
    ],
)
def test_ordinary_subjects_are_not_keystrokes(subject: str) -> None:
    assert typed_without_ime(subject) is False


def test_full_stop_separators_are_not_viqr_dots() -> None:
    # docs/rules.md accepts "." as a separator, with or without diacritics; "Lai.Bao" is the unit, a full stop
    # and the content, not the VIQR dot-below tone on "i" (VIQR puts tone marks on a vowel inside a lower-case word)
    assert typed_without_ime("THCS Thoi Lai.Bao cao.Thang 10") is False
