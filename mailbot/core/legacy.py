"""Repair subjects broken by legacy Vietnamese encodings: UTF-8 mojibake, TCVN3 (ABC) and VNI-Windows."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Repair:
    text: str  # the repaired text (NFC), or the input unchanged when kind == "none"
    kind: str  # "none" | "mojibake" | "tcvn3" | "vni" | "unreadable"
    confident: bool  # True when the repair is certain enough to act on without a person


# TCVN3 (ABC, .VnTime): one byte per letter, written here as the Latin-1 character of that byte. ABC has no
# toned capitals (they need the .VnTimeH font). Source: lamdao/xvnkb tcvn.h, the table the notes name; two
# independent converters' tables agree byte for byte, and the notes' examples decode (see the tests).
_TCVN3 = {
    ord(byte): letter
    for byte, letter in zip(
        "¸µ¶·¹ ¨¾»¼½Æ ©ÊÇÈÉË ÐÌÎÏÑ ªÕÒÓÔÖ Ý×ØÜÞ ãßáâä «èåæçé ¬íêëìî óïñòô \xadøõö÷ù ýúûüþ ®¡¢£¤¥¦§".replace(" ", ""),
        "áàảãạ ăắằẳẵặ âấầẩẫậ éèẻẽẹ êếềểễệ íìỉĩị óòỏõọ ôốồổỗộ ơớờởỡợ úùủũụ ưứừửữự ýỳỷỹỵ đĂÂÊÔƠƯĐ".replace(" ", ""),
        strict=True,
    )
}
# VNI-Windows: a vowel, then one byte for its tone and/or circumflex/breve (lamdao/xvnkb vni.h; another
# converter's 142 pairs agree). Those bytes become combining marks for NFC to compose; i, y, ơ, ư and đ
# have bytes of their own.
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # none, sắc, huyền, hỏi, ngã, nặng
_VNI_LOWER = {
    **dict(zip("ùøûõï", _TONES[1:])),
    **{byte: "\u0302" + tone for byte, tone in zip("âáàåãä", _TONES)},
    **{byte: "\u0306" + tone for byte, tone in zip("êéèúüë", _TONES)},
    **dict(zip("ôöñíìæóòî", "ơưđíìỉĩịỵ")),
}
_VNI = {ord(k): v for k, v in _VNI_LOWER.items()} | {ord(k.upper()): v.upper() for k, v in _VNI_LOWER.items()}

# UTF-8 read as cp1252/latin-1: a lead byte Â-ô, then continuation bytes 0x80-0xBF.
_CONTINUATION = {chr(b) for b in range(0x80, 0xC0)} | set(bytes(range(0x80, 0xC0)).decode("cp1252", "ignore"))
_C = "[" + re.escape("".join(sorted(_CONTINUATION))) + "]"
# mail.py cleans the subject before we see it: C1 controls (cp1252 leaves 0x81 0x8D 0x8F 0x90 0x9D undefined)
# and NBSP (0xA0) become a space, the soft hyphen (0xAD) vanishes. That leaves sequences one byte short:
# the last alternative, with the space (if any) in group 1.
_MOJIBAKE = re.compile(
    f"[\xc2-\xdf]{_C}|[\xe0-\xef]{_C}{{2}}|[\xf0-\xf4]{_C}{{3}}|(?:[\xc2-\xdf]|[\xe0-\xef]{_C})( ?)"
)
_CP1252_ONLY = frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", "ignore"))  # "€", "›", "œ": not latin-1
_MOJIBAKE_LEFT = re.compile(f"[ÃÄÅÆ]|[\xe0-\xef]{_C}")  # a lead byte still there: the repair is partial
# A lower-case word that is an onset and a final only ("th", "t"): TCVN3 lost its "ư" ("thư", "tư").
_VOWELLESS = re.compile(r"(?<![^\W\d_])(?:ngh|[cgknpt]h|ng|tr|[bcdđghklmnprstvx])(?:ch|ng|nh|[cmnpt])?(?![^\W\d_])")

# Lost letters: U+FFFD, or "?" put in for a letter the sender's code page lacked ("B?o c?o", "?ại").
_LOST = re.compile(r"\ufffd|[^\W\d_]\?+[^\W\d_]|(?<!\S)\?+[^\W\d_]")
# A "word" for scoring: letters plus what legacy fonts put inside words (¸ §, soft hyphen, marks).
_WORD = re.compile(r"[^\s\x00-\x40\x5b-\x60\x7b-\x7f\u2000-\u206f]+")
_LETTERS = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])*")
_LETTERS_AT_END = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])*$")

_MARKS = frozenset(_TONES[1:])
_ONSETS = ("ngh", "ng", "gh", "gi", "kh", "nh", "ph", "qu", "th", "tr", "ch", *"bcdđghklmnprstvx", "")
_RHYME = re.compile(r"([aăâeêioôơuưy]+)(ch|nh|ng|c|m|n|p|t)?")
_CLUSTERS = frozenset(
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy "
    "ưa ưi ươ ưu yê iêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu yêu".split()
)
_OPEN = {c for c in _CLUSTERS if len(c) > 1 and c[-1] in "iouy"} - {"oo", "uy"} | {"ia", "ua", "ưa", "uya"}
_CLOSED = frozenset("ă â iê yê uô ươ uyê oă uâ oo".split())  # these need a final consonant
_ABBREVIATION = frozenset("BCDĐFGHJKLMNPQRSTVWXZ")  # "GD&ĐT", "VQĐ": capitals without a vowel
_CODEPAGES = ("cp1252", "cp1258")  # the sender's ANSI code page decides how the font's bytes look


def _is_syllable(word: str) -> bool:
    """One well-formed Vietnamese syllable: sane case, one tone on a vowel, onset + vowels + final."""
    word = unicodedata.normalize("NFC", word)
    if not word or unicodedata.combining(word[0]) or not (word.islower() or word.isupper() or word.istitle()):
        return False  # "trÊn" is TCVN3 "trấn", not a word
    letters = [unicodedata.normalize("NFD", ch) for ch in word.lower()]
    toned = [i for i, ch in enumerate(letters) if _MARKS.intersection(ch)]
    tone = "".join(_MARKS.intersection(letters[toned[0]])) if toned else ""
    base = unicodedata.normalize("NFC", "".join(ch for ch in "".join(letters) if ch not in _MARKS))
    if len(toned) > 1 or len(tone) > 1 or len(base) != len(word):
        return False  # two tones, or a mark that composes with nothing
    for onset in _ONSETS:
        match = _RHYME.fullmatch(base, len(onset)) if base.startswith(onset) else None
        if match and _rhyme_ok(match[1], match[2] or "", tone):
            # the tone sits on the vowels, never on the glide that closes "ao", "ui", "ươi"; old-style "Qúy" is fine
            first = match.start(1) - (onset in ("qu", "gi"))
            last = match.end(1) - (match[1] in _OPEN)
            if not toned or first <= toned[0] < last:
                return True
    return False


def _rhyme_ok(vowels: str, final: str, tone: str) -> bool:
    if vowels not in _CLUSTERS:
        return False
    if not final:
        return vowels not in _CLOSED
    if vowels in _OPEN or (final in ("ch", "nh") and vowels[-1] not in "aêiy"):
        return False  # ach, êch, ich, oanh, uynh; never "ơnh", "unh"
    if final in ("c", "ng") and vowels in ("i", "y", "ê", "ơ", "uy", "uê"):
        return False  # "íc", "ơng" only happen when TCVN3 lost its "ư"
    return final not in ("c", "ch", "p", "t") or tone in ("\u0301", "\u0323")  # stops take sắc or nặng only


def _is_letter(ch: str) -> bool:
    """A letter of the Vietnamese alphabet (any tone or case), or one of its combining marks (NFD text)."""
    base, *marks = unicodedata.normalize("NFD", ch.lower())
    allowed = _MARKS | {"\u0302", "\u0306", "\u031b"}
    return base in allowed or base in "bcdđghklmnpqrstvx" or (base in "aeiouy" and set(marks) <= allowed)


def _letters(text: str) -> int:
    return sum(not ch.isascii() and _is_letter(ch) for ch in text)


def _plausible(word: str) -> bool:
    """A syllable, or an abbreviation ("THCS", "GD&ĐT")."""
    return not word or _is_syllable(word) or set(word) <= _ABBREVIATION or (word.isascii() and word.isupper())


def _score(text: str) -> tuple[int, int]:
    """(words that are Vietnamese syllables, words that are not); ASCII and symbol-only words do not count."""
    good = bad = 0
    for word in _WORD.findall(text):
        if word.isascii() or len(word) < 2 or set(word) <= _ABBREVIATION or not any(c.isalpha() for c in word):
            continue  # a lone letter ("â, ê, ô") says nothing either way
        good, bad = (good + 1, bad) if _is_syllable(word) else (good, bad + 1)
    return good, bad


def _spellings(cluster: str) -> list[str]:
    """A letter and its marks as they may have been typed: as is, then with each mark in turn on the base.
    NFC moved the dot of VNI "Ñ" + "ò" (U+0323 in cp1258) before the tilde; "Ñ" first undoes that."""
    base, *marks = unicodedata.normalize("NFD", cluster)
    split = [unicodedata.normalize("NFC", base + m) + "".join(marks[:i] + marks[i + 1 :]) for i, m in enumerate(marks)]
    return [cluster, *split, base + "".join(marks)]


def _to_bytes(text: str, codepage: str) -> bytes | None:
    """The bytes the sender's font produced, if the text is their image in this code page."""
    out = bytearray()
    for cluster in re.findall(r".[\u0300-\u036f]*", text, re.DOTALL):
        for form in _spellings(cluster):  # cp1258 keeps tones as separate bytes
            try:
                out += form.encode(codepage)
                break
            except UnicodeEncodeError:
                continue
        else:
            if len(cluster) > 1 or not 0x80 <= ord(cluster) < 0xA0:
                return None
            out.append(ord(cluster))  # a byte cp1252 leaves undefined; latin-1 decoders keep it as U+0080-U+009F
    return bytes(out)


def _decode(data: bytes, table: dict[int, str], codepage: str) -> str:
    def char(byte: int) -> str:
        try:
            return bytes([byte]).decode(codepage)
        except UnicodeDecodeError:
            return chr(byte)

    return unicodedata.normalize("NFC", "".join(table.get(b) or char(b) for b in data))


def _from_utf8(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if any(unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs") for ch in text) else text


def _fix_mojibake(text: str) -> str:
    # read as cp1252, only its five undefined bytes became controls; read as latin-1, all of 0x80-0x9F did
    lost = (0x81, 0x8D, 0x8F, 0x90, 0x9D) if _CP1252_ONLY.intersection(text) else range(0x80, 0xA0)

    def fix(match: re.Match[str]) -> str:
        if match[1] is None:  # a whole sequence
            return _from_utf8(_to_bytes(match[0], "cp1252") or b"") or match[0]
        # a byte short: guess it only when exactly one guess completes a Vietnamese word ("Ä áº¡i" -> "Đại")
        head, space = _to_bytes(match[0].rstrip(" "), "cp1252") or b"", match[1]
        if head == b"\xc2" and space:
            return " "  # "Â " was a no-break space: "â" never ends a syllable
        left = _LETTERS_AT_END.search(match.string, 0, match.start())[0]  # type: ignore[index]
        right = _LETTERS.match(match.string, match.end())[0]  # type: ignore[index]
        joined, apart = set(), set()  # the word goes on after the lost byte / a real space followed it
        for byte in (*lost, 0xA0, 0xAD):
            ch = _from_utf8(head + bytes([byte]))
            if ch and _is_letter(ch):
                eaten = (right and space and byte != 0xAD) or (not space and byte == 0xAD)
                if eaten and _plausible(left + ch + right):
                    joined.add(ch)
                if space and _plausible(right) and _plausible(left + ch):
                    apart.add(ch + " ")
        found = joined or apart
        if len({f.casefold() for f in found}) == 1:  # "Đ" or "đ" (latin-1: 0x90 or 0x91): capital starts a word
            return sorted(found, key=str.isupper)[-1 if not left else 0]
        return match[0]

    for _ in range(3):  # mojibake of mojibake: one layer per pass
        fixed = _MOJIBAKE.sub(fix, text)
        if fixed == text:
            break
        text = fixed
    return text


def _restore_u(text: str) -> str:
    """TCVN3 "ư" is a soft hyphen that mail software drops; put it back where spelling demands it."""

    def horn_o(match: re.Match[str]) -> str:
        before = match.string[match.start() - 1 : match.start()]
        return match[0] if before and unicodedata.normalize("NFD", before.lower())[0] in "aeiouy" else "ư" + match[0]

    text = re.sub(r"[ơớờởỡợ](?=(?:c|ng|u)(?![^\W\d_]))", horn_o, text)  # "ơc", "ơng", "ơu" do not exist
    return re.sub(  # a syllable needs a vowel: "Hng" was "Hưng"
        r"(?<![^\W\d_])([BCDĐGHKLMNPRSTVXbcdđghklmnprstvx][hgr]?)(ng)(?![^\W\d_])",
        lambda m: m[1] + "ư" + m[2] if m[1].lower() in _ONSETS else m[0],
        text,
    )


def _upper_words(text: str) -> str:
    """Capitals typed in .VnTime come out as lower-case toned bytes: "B¸O" is "BÁO" (but "Lª" stays "Lê")."""

    def fix(match: re.Match[str]) -> str:
        word = match[0]
        lower = any(ch.isascii() and ch.islower() for ch in word)
        return word.upper() if not lower and any(ch.isupper() for ch in word[1:]) else word

    return re.sub(r"[^\W\d_]+", fix, text)


def _read(text: str, kind: str, codepage: str) -> str | None:
    """The text as the sender typed it with a TCVN3 or VNI font, if it is an image of such bytes."""
    # mail.py turns eth into Đ; in cp1252 "Ð"/"ð" were the bytes 0xD0/0xF0
    data = _to_bytes(text.translate({0x110: 0xD0, 0x111: 0xF0}) if codepage == "cp1252" else text, codepage)
    if data is None:
        return None
    if kind == "vni":
        return _decode(data, _VNI, codepage)
    return _upper_words(_restore_u(_decode(data, _TCVN3, codepage)))


def _candidates(text: str) -> Iterator[tuple[str, str, bool]]:
    """(kind, repaired text, doubtful) for every reading of the whole subject."""
    mojibake = unicodedata.normalize("NFC", _fix_mojibake(text))
    yield "mojibake", mojibake, bool(_MOJIBAKE_LEFT.search(mojibake))
    for codepage in _CODEPAGES:
        for kind in ("tcvn3", "vni"):
            if (fixed := _read(text, kind, codepage)) is not None:
                # a word left without a vowel ("t" was "tư") is a loss that cannot be put back
                yield kind, fixed, kind == "tcvn3" and "\xad" not in text and bool(_VOWELLESS.search(fixed))


def _fallbacks(text: str, mojibake: str) -> Iterator[tuple[str, str, bool]]:
    """Readings for subjects no single table explains: the unit typed in Unicode and the rest in VNI (only the
    broken words are read); then, doubtful, a TCVN3 subject also read as cp1252 on top (two layers) and a
    subject that mixes TCVN3 and VNI (each word by the first table that makes it a syllable)."""
    for kind in ("tcvn3", "vni"):
        yield kind, _WORD.sub(lambda m: m[0] if _plausible(m[0]) else _read_word(m[0], (kind,)), text), False
        for codepage in _CODEPAGES if mojibake != text else ():
            if (layered := _read(mojibake, kind, codepage)) is not None:
                yield kind, layered, True
    yield "tcvn3", _WORD.sub(lambda m: _read_word(m[0], ("tcvn3", "vni")), text), True


def _read_word(word: str, kinds: tuple[str, ...]) -> str:
    for kind in kinds:
        for codepage in _CODEPAGES:
            fixed = _read(word, kind, codepage)
            if fixed and fixed != word and _is_syllable(fixed):
                return fixed
    return word


_Scored = tuple[int, int, str, str, bool]  # bad words, -good words, kind, text, doubtful


def _best(text: str, damage: int, candidates: Iterator[tuple[str, str, bool]]) -> list[_Scored]:
    """Readings with fewer broken words than the input, best first."""
    scored = []
    for kind, fixed, doubtful in candidates:
        good, bad = _score(fixed)
        # a partial mojibake repair may leave as many broken words, yet give back letters: a guess for staff
        partial = kind == "mojibake" and bad == damage and _letters(fixed) > _letters(text)
        if fixed != text and ((good and bad < damage) or partial):
            scored.append((bad, -good, kind, fixed, doubtful))
    return sorted(scored, key=lambda s: s[:2])  # stable: on a tie mojibake, then TCVN3, then VNI


def repair_text(text: str) -> Repair:
    """Undo mojibake, TCVN3 or VNI in a subject; ordinary text comes back as kind "none", unchanged."""
    nfc = unicodedata.normalize("NFC", text)
    if _LOST.search(nfc):
        return Repair(text, "unreadable", False)
    damage = _score(nfc)[1]
    if not damage:  # every word is Vietnamese, ASCII or a symbol: nothing to repair
        return Repair(text, "none", True)
    whole = list(_candidates(nfc))
    scored = _best(nfc, damage, iter(whole))
    if not scored or scored[0][0]:  # no clean reading of the whole subject
        scored = _best(nfc, damage, iter(whole + list(_fallbacks(nfc, whole[0][1]))))
    if not scored:  # damage the tables do not explain (a foreign name, Telex): the rules judge the text as is
        return Repair(text, "none", True)
    bad, _, kind, fixed, doubtful = scored[0]
    rivals = {s[3] for s in scored if not s[0]} - {fixed}  # another clean reading: a person decides
    return Repair(fixed, kind, not bad and not doubtful and not rivals)
