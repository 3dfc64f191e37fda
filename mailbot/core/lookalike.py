"""Look-alike letters in addresses and names: Cyrillic and Greek twins of Latin letters, fullwidth
forms, punycode. A small explicit map (not a full UTS #39 table) covers what reaches a school mailbox."""

from __future__ import annotations

import unicodedata

# Letters that render like Latin ones; NFKC already folds fullwidth forms (＠, ａ) to ASCII.
_TWINS = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
        "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "в": "b", "к": "k", "м": "m",
        "н": "h", "т": "t", "ы": "bl", "д": "d", "й": "n", "л": "n", "п": "n",
        "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c",
        "Т": "t", "Х": "x", "У": "y", "І": "i", "Ј": "j", "Ѕ": "s",
        "α": "a", "ο": "o", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "ρ": "p", "υ": "u", "ε": "e",
        "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
        "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
        "ı": "i", "ℓ": "l",
    }
)


def decode_punycode(address: str) -> str:
    """bentre.xn--edu-… → its Unicode form, so the look-alike shows; unchanged when not punycode."""
    local, _, domain = address.rpartition("@")
    labels = []
    for label in domain.split("."):
        if label.lower().startswith("xn--"):
            try:
                label = label.lower().encode("ascii").decode("idna")
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return f"{local}@{'.'.join(labels)}" if local else ".".join(labels)


def skeleton(text: str) -> str:
    """What the text looks like: fullwidth folded, twins mapped to Latin, lower case."""
    return unicodedata.normalize("NFKC", decode_punycode(text)).translate(_TWINS).lower()


def is_lookalike_address(address: str) -> bool:
    """Not plain ASCII, or a punycode label: never a real school address on bentre.edu.vn."""
    return not address.isascii() or any(label.startswith("xn--") for label in address.lower().split("@")[-1].split("."))


def scripts(text: str) -> set[str]:
    """The scripts of the letters in the text (LATIN, CYRILLIC, GREEK, …); fullwidth counts apart."""
    found = set()
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "UNKNOWN")
            found.add("FULLWIDTH" if name.startswith("FULLWIDTH") else name.split(" ")[0])
    return found


def is_mixed_script(text: str) -> bool:
    return len(scripts(text)) > 1
