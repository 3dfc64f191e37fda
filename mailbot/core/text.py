"""Vietnamese text normalisation: NFC for storage and display, a folded key for matching."""

from __future__ import annotations

import re
import unicodedata

# Eth and African D look like Đ but are different letters; cp1252 mail produces them (notes §3.1).
_D_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ", "Ɖ": "Đ", "ɖ": "đ"})
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def unsurrogate(text: str) -> str:
    """Raw 8-bit bytes that the email package kept as surrogate escapes: decode them as UTF-8 or mark them."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def nfc(text: str) -> str:
    """NFC-normalise, drop invisible format characters (ZWSP, soft hyphen, BOM), collapse spaces."""
    visible = "".join(ch for ch in unsurrogate(text) if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", visible.translate(_D_LOOKALIKES))).strip()


def strip_controls(text: str) -> str:
    """Remove control characters (CR, LF, NUL, …) so mail text can never break a header."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def fold(text: str) -> str:
    """Matching key: no accents, đ→d, lower case, words of ASCII letters and digits."""
    decomposed = unicodedata.normalize("NFD", nfc(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", _NOT_ALNUM.sub(" ", bare.casefold())).strip()


def first_non_ascii(text: str) -> tuple[int, str] | None:
    """Position and character of the first non-ASCII character, if any."""
    for index, ch in enumerate(text):
        if ord(ch) > 127:
            return index, ch
    return None
