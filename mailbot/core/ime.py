"""Subjects typed with the Vietnamese input method switched off: Telex ("Baos caos thangs") or VIQR
("Ba'o ca'o"). The letters are there but the tones are keystrokes; a person cannot be sure of the
unit, so the school is asked to type it again."""

from __future__ import annotations

import re
from functools import lru_cache

# A Vietnamese syllable written without accents ends in a vowel or c, ch, m, n, ng, nh, p, t; with
# the IME off Telex leaves its tone keys (s f r x j) and w/dd/aa/ee/oo marks in the word.
_SYLLABLE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?$")
_TELEX_MARKS = re.compile(r"ow|uw|aw|dd|w[sfrxj]?$")
# VIQR tone marks after a vowel; "." (dot below) is left out, it is the full stop clerks use as a separator
_VIQR_WORD = re.compile(r"[aeiouy][+(^]?['`?~][a-z]|[aeiouy][+(^]['`?~]?", re.IGNORECASE)


@lru_cache(maxsize=256)  # asked by three subject rules for the same subject
def typed_without_ime(text: str) -> bool:
    """True when at least two words are Telex or VIQR keystrokes (and nothing has real accents)."""
    if not text.isascii():
        return False
    words = re.findall(r"[A-Za-z'`?~.+(^]+", text)
    lower_words = [w for w in words if w.isalpha() and not w.isupper() and len(w) > 2]
    telex = sum(1 for w in lower_words if _is_telex(w.lower()))
    viqr = sum(1 for w in words if _VIQR_WORD.search(w) and not w.endswith("?"))
    # most of the words, not an English "docs" or "tips" among Vietnamese ones
    return (telex >= 2 and 2 * telex >= len(lower_words)) or viqr >= 2


def _is_telex(word: str) -> bool:
    """"baos" (bao + tone key s), "thowis" (ơ typed as ow), never "report" or "for"."""
    if _TELEX_MARKS.search(word):
        return True
    return word[-1] in "sfrxj" and bool(_SYLLABLE.match(word[:-1]))
