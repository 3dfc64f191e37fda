"""Property-based tests (hypothesis): the parser, the judge, the reply composer and the pure text and
attachment helpers hold their contracts for ANY input, not only for the messages someone thought of.

1. parse_mail(raw) returns a ParsedMail or raises UnparseableMail, for arbitrary bytes and for
   structured-but-hostile messages; a returned mail's subject and attachment filenames are NFC and free
   of control characters (and surrogates).
2. judge(mail, registry, policy) never raises for a parsed mail; its action is one of the four and every
   reason code is declared in mailbot/templates/reasons.toml.
3. compose(...) for accepted/rejected verdicts never raises; the reply parses back with exactly one To
   (the sender's address, nothing else), one Subject and no Cc/Bcc, or compose returns None for a
   look-alike sender: no header injection whatever the subject or display name holds.
4. repair_text, parse_subject, classify, sniff, list_archive, fold and nfc never raise; nfc returns NFC;
   repair_text returns NFC text when it repairs (mojibake/tcvn3/vni) and, as its docstring promises, the
   input unchanged for kind "none"/"unreadable" (so NFC out whenever NFC goes in).

Every test is derandomized (same examples on every run and machine) and keeps no example database, so
CI is reproducible. Real bugs found are pinned as explicit @example(...) inputs on the test that found
them, so they fail on every run until the application is fixed.

Examples actually run (`pytest tests/unit/test_properties.py --hypothesis-show-statistics`, Python 3.11.7,
hypothesis 6.170.17, 2 cores; the counts are identical on every run; whole file 20-23 s):
  parse_mail, arbitrary bytes            500 generated (+3 explicit)   99.6 % UnparseableMail, 0.4 % parsed
  parse_mail, hostile MIME messages      500 generated                 77 % UnparseableMail, 16 % parsed
  parse_mail, school-like messages       300 generated                 61 % parsed, 28 % UnparseableMail
  judge                                  300 generated                 62 % parsed; of all: 22 % reject,
                                                                       24 % ignore, 14 % accept, 3 % hold
  compose                                4 explicit examples, 3 distinct failures (BUGS 1-3 below): while
                                         they fail hypothesis generates nothing more; with the bug classes
                                         masked, 300 generated examples (124 composes of the judged verdict,
                                         161 x 2 forced accept/reject composes) pass in 5 s, and without the
                                         explicit examples the 300 generated examples find BUG 2 by themselves
  repair_text                            300 generated (+1 explicit)
  parse_subject / classify / fold+nfc    300 generated each
  sniff + list_archive                   400 generated
  (hypothesis also discards some draws as "invalid": 0-127 per test, not counted above)
Exploration beyond the file (random seeds, same strategies): 4,000 examples each for the parse_mail,
repair_text, parse_subject, classify, fold/nfc and sniff/list_archive properties, 3,000 each for judge and
for compose with BUGS 1-3 masked: nothing else found.
"""

from __future__ import annotations

import base64
import email
import email.policy
import io
import quopri
import string
import tomllib
import unicodedata
import warnings
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from mailbot.adapters.units_file import read_units_file
from mailbot.core.attachments import ArchiveListing, FileKind, list_archive, sniff
from mailbot.core.legacy import Repair, repair_text
from mailbot.core.mail import ParsedMail, UnparseableMail, parse_mail
from mailbot.core.reports import Classification, classify
from mailbot.core.subject import SubjectParts, parse_subject
from mailbot.core.text import fold, nfc
from mailbot.core.units import Registry
from mailbot.core.verdict import Action, Reason, Verdict
from mailbot.pipeline import judge
from mailbot.rules import Policy
from mailbot.service.replies import can_answer, ReplyContext, compose
from tests.unit.conftest import UNITS_CSV
from tests.unit.office_files import docx, make_zip, xlsx

ROOT = Path(__file__).resolve().parents[2]
REASONS_TOML = ROOT / "mailbot" / "templates" / "reasons.toml"
CTX = ReplyContext("Phòng Giáo dục và Đào tạo huyện Bình Đại", "pgdbinhdai@bentre.edu.vn", "bentre.edu.vn", "Asia/Ho_Chi_Minh")
RECEIVED = datetime(2025, 10, 14, 1, 30, tzinfo=timezone.utc)
NOW = datetime(2025, 10, 14, 1, 31, tzinfo=timezone.utc)
REFERENCE = "PGD-2025-000042"


def _settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,  # the same examples on every run: CI is reproducible
        database=None,  # nothing carried between runs; found bugs are pinned with @example
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# --- contract checks ----------------------------------------------------------------------------------
def _is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def _controls(text: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) == "Cc"]


def _surrogates(text: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) == "Cs"]


def _parse_or_none(raw: bytes) -> ParsedMail | None:
    """parse_mail's contract: a ParsedMail, or UnparseableMail and nothing else (any other exception
    propagates and fails the test with its traceback)."""
    try:
        mail = parse_mail(raw)
    except UnparseableMail:
        event("parse: UnparseableMail")
        return None
    assert isinstance(mail, ParsedMail)
    event("parse: ParsedMail")
    return mail


def _check_parsed(mail: ParsedMail) -> None:
    assert _is_nfc(mail.subject), f"subject not NFC: {mail.subject!r}"
    assert not _controls(mail.subject), f"control characters {_controls(mail.subject)} in subject {mail.subject!r}"
    assert not _surrogates(mail.subject), f"surrogates {_surrogates(mail.subject)} in subject {mail.subject!r}"
    for attachment in mail.attachments:
        name = attachment.filename
        assert _is_nfc(name), f"filename not NFC: {name!r}"
        assert not _controls(name), f"control characters {_controls(name)} in filename {name!r}"
        assert not _surrogates(name), f"surrogates {_surrogates(name)} in filename {name!r}"


def _declared_codes() -> frozenset[str]:
    return frozenset(tomllib.loads(REASONS_TOML.read_text(encoding="utf-8")))


# --- building blocks for hostile messages ---------------------------------------------------------------
_UNITS = sorted(read_units_file(UNITS_CSV), key=lambda u: u.unit_id)
_UNIT_ADDRESSES = sorted({a for u in _UNITS for a in u.addresses})
_UNIT_NAMES = sorted({n for u in _UNITS for n in u.names()})

_EOLS = st.sampled_from([b"\r\n", b"\n"])
_HOSTILE_BYTES = st.sampled_from([
    b"\r\n", b"\n", b"\r", b"\x00", b"\r\nBcc: evil@example.com", b"\r\nCc: evil@example.com", b"\r\n\r\n",
    b"\nTo: evil@example.com", b"\r\n Bcc: evil@example.com", b"\t", b" ", b"=?", b"?=", b"\xff", b"\xc2\x85",
    b"\xc2\x80", b"\xc2\x9b", b"\xe2\x80\xa8", b"\xe2\x80\xae", b"\xef\xbb\xbf", b"\xed\xb2\x80", b"\xed\xa0\x80",
    b'"', b"<", b">", b",", b";", b"\\", b"(", b")", b"@", b"%", b"'", b"*", b"=", b":", b"\x7f", b"\x1b",
    b"\xef\xbc\xa0",  # fullwidth @
    "THCS Thới Lai".encode(), "Báo cáo tháng 10".encode(), "Trường".encode(), "Đ".encode(),
    "Thá»›i Lai".encode(), "ThÞ trÊn".encode("cp1252", "replace"), "Thò traán".encode("cp1252", "replace"),
    "Báo cáo".encode("cp1258", "replace"), "B?o c?o".encode(), "\ufffd".encode(),
    "пгд".encode(), "е".encode(),
])
_ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)  # lone surrogates included
_CODECS = st.sampled_from(["utf-8", "latin-1", "cp1252", "cp1258", "utf-16", "utf-16-le", "koi8-r", "gb2312"])


@st.composite
def _encoded_text(draw: st.DrawFn) -> bytes:
    text = draw(st.text(max_size=30))
    codec = draw(_CODECS)
    return text.encode(codec, "replace")


_INJECTIONS = st.sampled_from([
    b"\r\nBcc: evil@example.com", b"\r\nCc: evil@example.com", b"\nTo: evil@example.com", b"\r\n\r\nFake body",
    b"\rX-Injected: 1", b"x\r\n Bcc: evil@example.com",
])
_CHARSETS = st.sampled_from([
    "utf-8", "UTF-8", "iso-8859-1", "windows-1258", "cp1258", "windows-1252", "utf-16", "utf-16le", "utf-7",
    "utf-32", "us-ascii", "x-unknown", "unknown-8bit", "gb2312", "koi8-r", "shift_jis", "iso-2022-jp", "",
    "utf-8*vi", "utf-8*", "*", "idna", "rot13", "base64", "hex", "zlib", "punycode", "bogus charset",
]) | st.text(string.ascii_letters + string.digits + "-_*'%", max_size=12)


@st.composite
def _encoded_word(draw: st.DrawFn) -> bytes:
    charset = draw(_CHARSETS)
    encoding = draw(st.sampled_from("BbQqXx"))
    text = draw(st.text(max_size=20))
    try:
        data = text.encode(charset)
    except Exception:  # noqa: BLE001 - an unknown or odd codec: raw bytes then
        data = draw(st.binary(max_size=30))
    if draw(st.booleans()):
        data = draw(st.binary(max_size=30) | _INJECTIONS)
    if encoding in "Bb":
        payload = base64.b64encode(data)
        mutation = draw(st.integers(0, 4))
        if mutation == 1:
            payload = payload.rstrip(b"=")
        elif mutation == 2 and payload:
            payload = payload[: draw(st.integers(0, len(payload) - 1))]
        elif mutation == 3:
            payload += draw(st.sampled_from([b"!", b"===", b"?", b"*", b" ", b"\xff", b"=A"]))
    elif encoding in "Qq":
        payload = quopri.encodestring(data, header=True).replace(b"=\n", b"")
        if draw(st.booleans()):
            payload += draw(st.sampled_from([b"=", b"=Z", b"=4", b"_", b"??", b"=\r\n"]))
    else:
        payload = data
    return b"=?" + charset.encode("ascii", "replace") + b"?" + encoding.encode() + b"?" + payload + b"?="


_LONG = st.integers(200, 3000).map(lambda n: b"x" * n) | st.integers(100, 800).map(lambda n: "Đ".encode() * n)
_FRAGMENT = st.one_of(
    _HOSTILE_BYTES, _encoded_text(), _encoded_word(), st.binary(max_size=20), _LONG,
    _ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
)
_HEADER_VALUE = st.lists(_FRAGMENT, max_size=6).map(b"".join)

_HEADER_NAMES = st.sampled_from([
    b"From", b"To", b"Cc", b"Bcc", b"Subject", b"Date", b"Message-ID", b"In-Reply-To", b"References",
    b"Reply-To", b"Sender", b"Return-Path", b"Auto-Submitted", b"Precedence", b"List-Id", b"MIME-Version",
    b"Content-Type", b"Content-Transfer-Encoding", b"Content-Disposition", b"X-Autoreply", b"Received",
    b"subject", b"FROM", b"Subject ", b" Subject", b"From\t",
]) | st.binary(min_size=0, max_size=15).filter(lambda b: b":" not in b and b"\n" not in b)


@st.composite
def _header_line(draw: st.DrawFn, name: bytes | None = None, value: bytes | None = None) -> bytes:
    eol = draw(_EOLS)
    name = draw(_HEADER_NAMES) if name is None else name
    value = draw(_HEADER_VALUE) if value is None else value
    folded = b""
    if draw(st.integers(0, 4)) == 0:  # a continuation line
        folded = eol + draw(st.sampled_from([b" ", b"\t"])) + draw(_HEADER_VALUE)
    return name + b":" + draw(st.sampled_from([b" ", b"", b"  "])) + value + folded + eol


_BOUNDARIES = st.one_of(
    st.text(string.ascii_letters + string.digits + "'()+_,-./:=? ", min_size=1, max_size=70),
    st.sampled_from(["", " ", "--", "=_", "a" * 200, "b\"q", "==", "x--"]),
).map(lambda s: s.encode())
_CTES = st.sampled_from([
    b"7bit", b"8bit", b"binary", b"base64", b"BASE64", b" base64 ", b"quoted-printable", b"x-uuencode",
    b"uuencode", b"bogus", b"", b"base64; x=1",
])
_LEAF_TYPES = st.sampled_from([
    b"text/plain", b"text/html", b"application/octet-stream", b"application/zip", b"image/png",
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"application/msword",
    b"message/delivery-status", b"text", b"/", b"x/y/z", b"",
])
_ATTACHMENT_DATA = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([
        docx(), xlsx(), b"MZ\x90\x00" + bytes(60), b"\x7fELF\x02\x01", b"#!/bin/sh\n", b"%PDF-1.4\n",
        make_zip(("setup.exe", b"MZ"), ("bao cao.docx", b"x")), b"PK\x03\x04" + bytes(40),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), b"Rar!\x1a\x07\x00", b"{\\rtf1",
        b"<html><table>", b"\xef\xbb\xbf<?xml urn:schemas-microsoft-com:office:spreadsheet",
    ]),
)


@st.composite
def _filename_param(draw: st.DrawFn) -> bytes:
    """A filename as clients (and attackers) write it: quoted, RFC 2231, continuations, encoded-words."""
    value = draw(_HEADER_VALUE)
    style = draw(st.integers(0, 4))
    if style == 0:
        return b'; filename="' + value + b'"'
    if style == 1:
        charset = draw(_CHARSETS).encode("ascii", "replace")
        pct = b"".join(b"%%%02X" % b for b in draw(st.binary(max_size=30)))
        return b"; filename*=" + charset + b"''" + pct + value[:10]
    if style == 2:
        return b"; filename*0*=utf-8''" + value[:20] + b"; filename*1=" + value[20:40] + b"; filename*3*=%FF"
    if style == 3:
        return b"; name=" + value
    return b'; filename="' + draw(_encoded_word()) + b'"'


def _encode_body(data: bytes, cte: bytes, corrupt: bool) -> bytes:
    token = cte.strip().lower()
    if token.startswith(b"base64"):
        body = base64.encodebytes(data)
        return body[: len(body) // 2] + b"!*\xff" + body[len(body) // 2 :] if corrupt else body
    if token == b"quoted-printable":
        body = quopri.encodestring(data)
        return body + b"=Z=\n=4" if corrupt else body
    if token in (b"x-uuencode", b"uuencode"):
        return b"begin 644 x\n" + (b"M" + data[:45] if corrupt else b"") + b"\n`\nend\n"
    return data


@st.composite
def _mime_part(draw: st.DrawFn, depth: int = 0) -> tuple[list[bytes], bytes]:
    """(header lines, body) of one MIME entity: a leaf, a multipart with random boundaries, or a message/rfc822."""
    eol = draw(_EOLS)
    kind = draw(st.sampled_from(["leaf", "leaf", "multipart", "rfc822"] if depth < 3 else ["leaf"]))
    if kind == "multipart":
        boundary = draw(_BOUNDARIES)
        declared = draw(st.sampled_from([b'"%s"' % boundary, boundary, b"", b'""', b'"%s' % boundary]))
        subtype = draw(st.sampled_from([b"mixed", b"alternative", b"related", b"report", b"signed", b"x-bad"]))
        children = draw(st.lists(_mime_part(depth + 1), max_size=4))
        used = boundary if draw(st.integers(0, 5)) else draw(_BOUNDARIES)  # now and then not the declared one
        body = draw(st.sampled_from([b"", b"preamble" + eol, b"--" + used + b"x" + eol]))
        for child_headers, child_body in children:
            body += b"--" + used + draw(st.sampled_from([b"", b" ", b"\t"])) + eol
            body += b"".join(child_headers) + eol + child_body + eol
        if draw(st.integers(0, 4)):
            body += b"--" + used + b"--" + eol
        body += draw(st.sampled_from([b"", b"epilogue" + eol, b"--" + used + eol]))
        extra = draw(st.sampled_from([b"", b"; report-type=delivery-status", b"; charset=utf-8", b";;"]))
        return [b"Content-Type: multipart/" + subtype + b"; boundary=" + declared + extra + eol], body
    if kind == "rfc822":
        inner = draw(_hostile_message(depth + 1))
        return [b"Content-Type: message/rfc822" + eol], inner
    headers = []
    content_type = draw(_LEAF_TYPES)
    charset = draw(st.sampled_from([b"", b"; charset=utf-8", b"; charset=x-bogus", b"; charset=utf-16", b'; charset="']))
    headers.append(b"Content-Type: " + content_type + charset + eol)
    cte = draw(_CTES)
    if draw(st.booleans()):
        headers.append(b"Content-Transfer-Encoding: " + cte + eol)
    if draw(st.booleans()):
        disposition = draw(st.sampled_from([b"attachment", b"inline", b"", b"ATTACHMENT", b"form-data"]))
        headers.append(b"Content-Disposition: " + disposition + draw(_filename_param()) + eol)
    if draw(st.integers(0, 3)) == 0:
        headers.append(draw(_header_line()))
    data = draw(_ATTACHMENT_DATA)
    return headers, _encode_body(data, cte, draw(st.integers(0, 3)) == 0)


@st.composite
def _hostile_message(draw: st.DrawFn, depth: int = 0) -> bytes:
    """Random headers (names and values with CR, LF, NUL, 8-bit, long lines, encoded-words) over a random MIME tree."""
    eol = draw(_EOLS)
    lines = [draw(_header_line(name)) for name in draw(st.lists(st.sampled_from([b"From", b"Subject"]), max_size=3))]
    lines += draw(st.lists(_header_line(), max_size=8))
    if draw(st.booleans()):
        lines.append(b"Message-ID: <" + draw(st.binary(max_size=40)) + b">" + eol)
    if draw(st.booleans()):
        lines.append(b"MIME-Version: 1.0" + eol)
    part_headers, body = draw(_mime_part(depth))
    lines += part_headers
    order = draw(st.permutations(range(len(lines))))
    return b"".join(lines[i] for i in order) + eol + body


# --- school-like messages: what the judge and the composer see most, with hostile text in every slot -----
_LOCAL_PART_CHARS = st.text(
    string.ascii_letters + string.digits + ' ,;:<>()[]@."\\!#$%&*+/=?^_`{|}~-\t\x01\x0b\x1f\x7fé\u2028', min_size=1, max_size=20
) | _encoded_word().map(lambda b: b.decode("latin-1"))


@st.composite
def _sender_address(draw: st.DrawFn, own: str) -> bytes:
    choice = draw(st.integers(0, 12))
    if choice <= 5:
        return own.encode()
    if choice == 6:
        return draw(st.sampled_from(_UNIT_ADDRESSES)).encode()
    if choice == 7:
        local = draw(st.text(string.ascii_lowercase + string.digits + "._-", min_size=1, max_size=15))
        domain = draw(st.sampled_from(["bentre.edu.vn", "gmail.com", "bentre-edu.vn", "xn--bentr-3we.edu.vn", "[127.0.0.1]"]))
        return f"{local}@{domain}".encode()
    if choice == 8:  # look-alike letters
        return own.replace(draw(st.sampled_from("eoac@")), draw(st.sampled_from(["е", "о", "а", "с", "＠", "﹫"])), 1).encode()
    if choice == 9:  # a quoted local part holding anything
        body = draw(_LOCAL_PART_CHARS).replace("\\", "\\\\").replace('"', '\\"')
        domain = draw(st.sampled_from(["bentre.edu.vn", "gmail.com", "evil.example"]))
        return f'"{body}"@{domain}'.encode()
    if choice == 10:  # a bare, unquoted local part holding specials
        return draw(_LOCAL_PART_CHARS).encode() + b"@bentre.edu.vn"
    if choice == 11:
        return b"a@bentre.edu.vn, b@bentre.edu.vn"
    return draw(_HEADER_VALUE)


@st.composite
def _display_name(draw: st.DrawFn, own: str) -> bytes:
    choice = draw(st.integers(0, 6))
    if choice <= 1:
        return b""
    if choice == 2:
        return b'"' + own.encode() + b'"'
    if choice == 3:
        return b'"' + draw(st.sampled_from(_UNIT_NAMES)).encode() + b'"'
    if choice == 4:
        return draw(_encoded_word())
    if choice == 5:
        suffixes = ['"', '",', "\r\nBcc: evil@example.com", "<x@evil.example>", ", evil@example.com", "\u0430"]
        text = own + draw(st.sampled_from(suffixes))
        return b'"' + text.encode() + b'"'
    return draw(_HEADER_VALUE)


_HOSTILE_WORDS = _encoded_word().map(lambda b: b.decode("latin-1")) | st.sampled_from([
    "=?utf-8?q?=0D=0ABcc:_evil@example.com?=", "=?utf-8?b?DQpCY2M6IGV2aWxAZXhhbXBsZS5jb20=?=", "\r\n", "\n", "\r",
    "\x00", "\r\nBcc: evil@example.com", "\r\nTo: evil@example.com", "\u2028", "\x85", "\u202e",
    "\ufeff", "\u200b", "e\u0301", "\u1e9b\u0323", "Ð", "=?utf-8?q?x?=", "é" * 300, "x" * 1200, "\udcc3\udca9",
])
_SUBJECT_WORDS = st.sampled_from([
    "Báo cáo tháng 10", "BC T10/2026", "báo cáo quý I", "sơ kết HKI", "KHẨN", "Re:", "Fwd:", "TL:", "[Đã nhận]",
    "[Chưa hợp lệ]", "[KHẨN]", "-", "–", ":", "|", "/", " ", "  ", "của", "(", ")", "bổ sung", "lần 2", "2026-2027",
    "Thá»›i Lai", "ThÞ trÊn", "Thò traán", "B?o c?o", "\ufffd", "Bao cao thang", "baos caos", "đột xuất",
]) | _HOSTILE_WORDS | st.sampled_from(_UNIT_NAMES) | st.text(max_size=10)


@st.composite
def _subject_text(draw: st.DrawFn, unit_name: str) -> str:
    if draw(st.integers(0, 2)):  # "Tên đơn vị - nội dung", decorated
        prefix = draw(st.sampled_from(["", "", "Re: ", "Fwd: ", "[KHẨN] ", "TL: "]))
        sep = draw(st.sampled_from([" - ", " – ", ": ", " | ", "-", " "]))
        content = draw(st.sampled_from(["Báo cáo tháng 10", "BC T10/2026", "báo cáo quý I", "sơ kết HKI bổ sung", ""]))
        tail = "".join(draw(st.lists(_HOSTILE_WORDS | st.text(max_size=5), max_size=2)))
        return prefix + unit_name + sep + content + tail
    return "".join(draw(st.lists(_SUBJECT_WORDS, min_size=0, max_size=6)))


@st.composite
def _subject_bytes(draw: st.DrawFn, unit_name: str) -> bytes:
    text = draw(_subject_text(unit_name))
    how = draw(st.integers(0, 6))
    if how <= 1:  # raw 8-bit UTF-8, as many clients send it
        return text.encode("utf-8", "surrogatepass")
    if how == 2:
        return b"=?utf-8?b?" + base64.b64encode(text.encode("utf-8", "surrogatepass")) + b"?="
    if how == 3:
        return b"=?utf-8?q?" + quopri.encodestring(text.encode("utf-8", "surrogatepass"), header=True).replace(b"=\n", b"") + b"?="
    if how == 4:  # mojibake: UTF-8 bytes labelled latin-1
        return b"=?iso-8859-1?b?" + base64.b64encode(text.encode("utf-8", "surrogatepass")) + b"?="
    if how == 5:
        return text.encode("cp1258", "replace")
    return draw(_HEADER_VALUE)


@st.composite
def _school_message(draw: st.DrawFn) -> bytes:
    eol = b"\r\n"
    unit = draw(st.sampled_from([u for u in _UNITS if u.addresses]))
    display, address = draw(_display_name(unit.name)), draw(_sender_address(unit.addresses[0]))
    from_value = draw(st.sampled_from([display + b" <" + address + b">", address, b"<" + address + b">"]))
    lines = [
        b"From: " + from_value, b"To: pgdbinhdai@bentre.edu.vn", b"Subject: " + draw(_subject_bytes(unit.subject_name)),
        b"Date: Tue, 14 Oct 2025 08:29:00 +0700", b"MIME-Version: 1.0",
    ]
    if draw(st.booleans()):
        lines.append(b"Message-ID: <" + draw(st.sampled_from([b"bc-10@bentre.edu.vn", b"a b", b"x\x7f@y", b"\xc3\xa9@x"])) + b">")
    if draw(st.integers(0, 3)) == 0:
        lines.append(b"References: " + draw(_HEADER_VALUE))
    if draw(st.integers(0, 3)) == 0:
        lines.append(draw(_header_line()))
    attachments = draw(st.lists(st.tuples(_filename_param(), st.sampled_from([docx(), xlsx()]) | _ATTACHMENT_DATA), max_size=2))
    boundary = b"==b0undary=="
    if not attachments:
        head = b"".join(line.rstrip(b"\r\n") + eol for line in lines)
        return head + b"Content-Type: text/plain; charset=utf-8" + eol + eol + "Kính gửi Phòng.".encode() + eol
    parts = [b"Content-Type: text/plain; charset=utf-8" + eol + eol + "Kính gửi Phòng.".encode() + eol]
    for param, data in attachments:
        parts.append(
            b"Content-Type: application/octet-stream" + eol + b"Content-Transfer-Encoding: base64" + eol
            + b"Content-Disposition: attachment" + param + eol + eol + base64.encodebytes(data).replace(b"\n", eol)
        )
    body = b"".join(b"--" + boundary + eol + part + eol for part in parts) + b"--" + boundary + b"--" + eol
    head = b"".join(line.rstrip(b"\r\n") + eol for line in lines)
    return head + b'Content-Type: multipart/mixed; boundary="' + boundary + b'"' + eol + eol + body


@st.composite
def _clean_school_message(draw: st.DrawFn) -> bytes:
    """A school's report as the rules want it (so it is accepted and gets a receipt), with hostile text only
    where a receipt repeats it: after the subject's content, and in the attachment's file name."""
    unit = draw(st.sampled_from([u for u in _UNITS if u.addresses and u.reports]))
    subject = unit.subject_name + " - Báo cáo tháng 10" + "".join(draw(st.lists(_HOSTILE_WORDS | st.text(max_size=5), max_size=2)))
    encoded = base64.b64encode(subject.encode("utf-8", "surrogatepass"))
    head = (
        f"From: {unit.name} <{unit.addresses[0]}>\r\nTo: pgdbinhdai@bentre.edu.vn\r\n".encode()
        + b"Subject: =?utf-8?b?" + encoded + b"?=\r\nDate: Tue, 14 Oct 2025 08:29:00 +0700\r\n"
        + b"Message-ID: <bc-10@bentre.edu.vn>\r\nMIME-Version: 1.0\r\n"
    )
    text_part = b"Content-Type: text/plain; charset=utf-8\r\n\r\nK\xc3\xadnh g\xe1\xbb\xadi.\r\n"
    if not draw(st.booleans()):
        return head + text_part
    name = "".join(draw(st.lists(_HOSTILE_WORDS | st.text(max_size=8), max_size=3))) + draw(st.sampled_from([".xlsx", ".docx"]))
    pct = "".join(f"%{b:02X}" for b in name.encode("utf-8", "surrogatepass"))
    data = xlsx() if name.endswith(".xlsx") else docx()
    attachment = (
        b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        + b"Content-Disposition: attachment; filename*=utf-8''" + pct.encode() + b"\r\n\r\n" + base64.encodebytes(data)
    )
    return (
        head + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n' + text_part + b"\r\n--b\r\n"
        + attachment + b"\r\n--b--\r\n"
    )


_MESSAGES = st.one_of(_school_message(), _clean_school_message(), _school_message(), _hostile_message())


# --- 1. parse_mail -------------------------------------------------------------------------------------
@_settings(500)
@given(raw=st.binary(max_size=3000))
@example(raw=b"")
@example(raw=b"\x00\r\n\r\n")
@example(raw=b"Subject: \x00\r\n\r\n")
def test_parse_mail_on_arbitrary_bytes_returns_a_clean_mail_or_raises_unparseable(raw: bytes) -> None:
    mail = _parse_or_none(raw)
    if mail is not None:
        _check_parsed(mail)


@_settings(500)
@given(raw=_hostile_message())
def test_parse_mail_on_hostile_structured_messages_returns_a_clean_mail_or_raises_unparseable(raw: bytes) -> None:
    mail = _parse_or_none(raw)
    if mail is not None:
        _check_parsed(mail)


@_settings(300)
@given(raw=_school_message())
def test_parse_mail_on_school_like_messages_returns_a_clean_mail_or_raises_unparseable(raw: bytes) -> None:
    mail = _parse_or_none(raw)
    if mail is not None:
        _check_parsed(mail)


# --- 2. judge -----------------------------------------------------------------------------------------
@_settings(300)
@given(raw=_MESSAGES)
def test_judge_never_raises_and_gives_a_known_action_and_declared_codes(
    raw: bytes, registry: Registry, policy: Policy
) -> None:
    mail = _parse_or_none(raw)
    if mail is None:
        return
    verdict, parts = judge(mail, registry, policy)
    assert isinstance(verdict, Verdict) and isinstance(parts, SubjectParts)
    assert verdict.action in (Action.ACCEPT, Action.REJECT, Action.HOLD, Action.IGNORE)
    unknown = [r.code for r in verdict.reasons if r.code not in _declared_codes()]
    assert not unknown, f"reason codes missing from reasons.toml: {unknown}"
    event(f"judge: {verdict.action.value}")


# --- 3. compose ----------------------------------------------------------------------------------------
def _header_lines(raw: bytes) -> list[bytes]:
    head = raw.split(b"\r\n\r\n", 1)[0]
    return head.replace(b"\r\n ", b" ").replace(b"\r\n\t", b"\t").split(b"\r\n")


def _check_reply(mail: ParsedMail, verdict: Verdict, parts: SubjectParts, registry: Registry) -> None:
    unit = registry.units.get(verdict.unit_id) if verdict.unit_id else None
    reply = compose(CTX, mail, verdict, parts, unit, REFERENCE, RECEIVED, NOW)
    sender = mail.sender
    if reply is None:
        assert sender is None or not can_answer(sender.address), f"no reply for {sender!r}"
        event(f"compose {verdict.action.value}: None")
        return
    assert sender is not None and can_answer(sender.address), "a reply went to a look-alike or quoted sender"
    event(f"compose {verdict.action.value}: reply")
    names = [line.split(b":", 1)[0].strip().lower() for line in _header_lines(reply.raw)]
    assert names.count(b"to") == 1 and names.count(b"subject") == 1, f"header lines: {names}"
    assert b"cc" not in names and b"bcc" not in names, f"header lines: {names}"
    back = email.message_from_bytes(reply.raw, policy=email.policy.default)
    assert len(back.get_all("To") or []) == 1 and len(back.get_all("Subject") or []) == 1
    assert back.get_all("Cc") is None and back.get_all("Bcc") is None
    to = back["To"].addresses
    assert len(to) == 1, f"To: {str(back['To'])!r} holds {len(to)} addresses; sender was {sender.address!r}"
    to_address = f"{to[0].username}@{to[0].domain}".lower()
    assert to_address == sender.address, f"To {str(back['To'])!r} != sender {sender.address!r}"
    assert reply.recipient == sender.address
    subject = str(back["Subject"])
    assert "\n" not in subject and "\r" not in subject


@_settings(300)
@given(raw=_MESSAGES)
# BUG 1 (mail.py _addresses + replies.py compose): the sender address is rebuilt as username@domain with
# the quoting of the local part dropped, and compose writes it verbatim into To. A quoted local part with
# a comma turns our rejection's To into two recipients, "victim@evil.example" and "x@bentre.edu.vn".
@example(raw=b'From: "victim@evil.example,x"@bentre.edu.vn\r\nSubject: THCS Thoi Lai - bao cao\r\n\r\nhi\r\n')
# BUG 1, second door: the email package decodes an encoded-word inside the local part, so no quotes are
# even needed: sender "victim@evil.example,@bentre.edu.vn", To "victim@evil.example,@bentre.edu.vn".
@example(raw=b"From: =?utf-8?q?victim=40evil.example=2C?=@bentre.edu.vn\r\nSubject: THCS Thoi Lai - bao cao\r\n\r\nhi\r\n")
# BUG 2 (replies.py _envelope/_one_line): the subject "=?utf-8?q?=0D=0ABcc:_evil@example.com?=" (sent
# base64-encoded, so parse_mail keeps it as literal text) has no control character for _one_line to
# strip, but msg["Subject"] = ... decodes that encoded-word again and the 3.11 email package writes the
# CR LF raw: the rejection carries an injected "Bcc: evil@example.com" header line (or any header, or a
# forged body after an empty line).
@example(
    raw=b"From: thcsthoilai.binhdai@bentre.edu.vn\r\n"
    b"Subject: =?utf-8?b?PT91dGYtOD9xPz0wRD0wQUJjYzpfZXZpbEBleGFtcGxlLmNvbT89?=\r\n\r\nhi\r\n"
)
# BUG 3 (replies.py compose, line `msg.as_bytes(policy=_HEADER_POLICY)`): the subject "=?us-ascii?B?gA==?="
# (again a literal encoded-word, here of the byte 0x80) makes compose raise UnicodeEncodeError; poll.py
# then quarantines the school's message instead of answering it.
@example(raw=b"From: thcsthoilai.binhdai@bentre.edu.vn\r\nSubject: =?utf-8?b?PT91cy1hc2NpaT9CP2dBPT0/PQ==?=\r\n\r\nhi\r\n")
def test_compose_replies_parse_back_with_one_to_one_subject_and_no_injected_headers(
    raw: bytes, registry: Registry, policy: Policy
) -> None:
    mail = _parse_or_none(raw)
    if mail is None:
        return
    verdict, parts = judge(mail, registry, policy)
    if verdict.action in (Action.ACCEPT, Action.REJECT):
        _check_reply(mail, verdict, parts, registry)
    # the same mail as if it had been accepted and as if it had been rejected, whatever the rules said
    _check_reply(mail, Verdict(Action.ACCEPT, (), verdict.unit_id), parts, registry)
    reasons = verdict.reasons or (Reason("subject-format", Action.REJECT, {"subject": mail.subject}),)
    _check_reply(mail, Verdict(Action.REJECT, reasons, verdict.unit_id), parts, registry)


# --- 4. the pure helpers never raise -------------------------------------------------------------------
def _break_encoding(words: list[str], how: str) -> str:
    text = " - ".join(words)
    if how == "cp1258":  # a VNI/TCVN3-era code page, read back as Latin-1
        return text.encode("cp1258", "replace").decode("latin-1")
    return text.encode().decode(how, "replace")  # UTF-8 read as Latin-1 or cp1252: mojibake


_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(exclude_categories=()), max_size=40),  # lone surrogates too
    st.lists(_SUBJECT_WORDS, max_size=8).map("".join),
    # Vietnamese text broken the ways legacy.py repairs: UTF-8 read as Latin-1/cp1252, and cp1258 bytes
    st.builds(
        _break_encoding,
        st.lists(st.sampled_from([*_UNIT_NAMES, "Báo cáo tháng 10", "sơ kết HKI", "Thị trấn"]), min_size=1, max_size=3),
        st.sampled_from(["latin-1", "cp1252", "cp1258"]),
    ),
)


@_settings(300)
@given(text=_TEXT)
@example(text="e\u0301")  # not NFC, and by contract returned unchanged with kind "none"
def test_repair_text_never_raises_and_gives_nfc_repairs(text: str) -> None:
    repair = repair_text(text)
    assert isinstance(repair, Repair) and repair.kind in ("none", "mojibake", "tcvn3", "vni", "unreadable")
    event(f"repair: {repair.kind}")
    if repair.kind in ("none", "unreadable"):
        assert repair.text == text  # documented: "the input unchanged when kind == 'none'" (and "unreadable")
    else:
        assert _is_nfc(repair.text), f"{repair.kind} repair not NFC: {repair.text!r}"
    if _is_nfc(text):
        assert _is_nfc(repair.text)


@_settings(300)
@given(text=_TEXT)
def test_parse_subject_never_raises(text: str, registry: Registry) -> None:
    assert isinstance(parse_subject(text, registry), SubjectParts)


@_settings(300)
@given(text=_TEXT, received=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       extra=st.dictionaries(st.text(max_size=8), st.lists(st.text(max_size=10), max_size=3), max_size=2))
def test_classify_never_raises(text: str, received: date, extra: dict[str, list[str]]) -> None:
    assert isinstance(classify(text, received, extra), Classification)


@_settings(300)
@given(text=_TEXT)
def test_fold_and_nfc_never_raise(text: str) -> None:
    folded, normal = fold(text), nfc(text)
    assert isinstance(folded, str) and isinstance(normal, str)
    assert _is_nfc(normal)


def _zip(members: list[tuple[str, bytes]], utf8_flag: bool) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # "Duplicate name": a hostile zip may well have them
        for name, data in members:
            info = zipfile.ZipInfo(name or "x")
            if not utf8_flag:
                info.flag_bits &= ~0x800
            archive.writestr(info, data)
    return buffer.getvalue()


@st.composite
def _file_bytes(draw: st.DrawFn) -> bytes:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(st.binary(max_size=2000))
    if choice == 1:  # a magic number, then anything
        magic = draw(st.sampled_from([
            b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c",
            b"%PDF-", b"MZ", b"\x7fELF", b"#!", b"{\\rtf", b"<html", b"\xef\xbb\xbf<?xml", b"<!doctype",
        ]))
        return magic + draw(st.binary(max_size=2000))
    if choice == 2:  # a real zip with random member names, then damaged in a few places
        members = draw(st.lists(st.tuples(st.text(max_size=20), st.binary(max_size=50)), max_size=5))
        try:
            data = bytearray(_zip(members, draw(st.booleans())))
        except (ValueError, UnicodeError):
            data = bytearray(make_zip(("a.docx", b"x")))
        for _ in range(draw(st.integers(0, 4))):
            if data:
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    # a real OLE2 header with a random directory
    data = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + draw(st.binary(min_size=504, max_size=2600)))
    data[30:32] = draw(st.sampled_from([b"\x09\x00", b"\x0c\x00", b"\x00\x00"]))
    return bytes(data)


@_settings(400)
@given(data=_file_bytes(), filename=_TEXT)
def test_sniff_and_list_archive_never_raise(data: bytes, filename: str) -> None:
    kind = sniff(data, filename)
    assert isinstance(kind, FileKind)
    listing = list_archive(data)
    assert listing is None or isinstance(listing, ArchiveListing)
    event(f"sniff: {kind.family}/{kind.detail}")
