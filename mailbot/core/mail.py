"""The mail model and its parser: raw RFC 5322 bytes in, a decoded, NFC-normalised ParsedMail out."""

from __future__ import annotations

import email
import email.errors
import dataclasses
import email.header
import email.parser
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage

from mailbot.core.text import nfc, strip_controls, unsurrogate

# A multipart body whose boundaries cannot be found cannot be split into its parts, and a header
# line that is not a header hides every header after it: judging such mail would be guessing, so
# it goes to quarantine for staff instead.
_FATAL_DEFECTS = (
    email.errors.MissingHeaderBodySeparatorDefect,
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.MultipartInvariantViolationDefect,
)
_FOLDING_WHITESPACE = str.maketrans({"\r": " ", "\n": " ", "\t": " "})
_LOOKALIKE_AT = re.compile(r"<?([^\s<>@＠﹫]+[＠﹫][^\s<>]+?)>?$")
_MSGID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,500}>")  # printable ASCII only: it goes into our headers


MAX_HEADER_BYTES = 1024 * 1024  # real headers are a few KB; Received chains rarely pass 50 KB
MAX_PARTS = 1000  # a report has a handful of files; tens of thousands of parts is an attack


class UnparseableMail(ValueError):
    """The bytes are not a message the office can read; the text says why."""


@dataclass(frozen=True)
class Address:
    display_name: str
    address: str  # lower-cased addr-spec, exactly as sent (may hold non-ASCII)

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


@dataclass(frozen=True)
class Attachment:
    filename: str  # NFC, as the sender wrote it; never used as a path
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None
    subject: str  # NFC, no control characters: what people read and what goes into our replies
    from_addresses: tuple[Address, ...]
    return_path: str | None
    date: datetime | None
    headers: dict[str, tuple[str, ...]]  # lower-case name -> raw values (unfolded, NFC), for the rules
    attachments: tuple[Attachment, ...]
    content_type: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    size: int = 0  # bytes of the raw message
    raw_subject: str = ""  # decoded but not cleaned, for the legacy-encoding repair

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def sender(self) -> Address | None:
        """The single From address, or None when there are none or several."""
        return self.from_addresses[0] if len(self.from_addresses) == 1 else None


def parse_mail(raw: bytes, headers_only: bool = False) -> ParsedMail:
    """Parse raw message bytes; raise UnparseableMail when the structure is beyond repair.
    headers_only: the bytes are just the header of a message too big to fetch (no attachments)."""
    if not raw.strip():
        raise UnparseableMail("thư rỗng (0 byte nội dung)")
    header_block = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    if b"\x00" in header_block:
        raise UnparseableMail("phần tiêu đề (header) chứa byte NUL")
    # limits checked on the bytes, before the parser spends time on hostile structure
    if len(header_block) > MAX_HEADER_BYTES:
        raise UnparseableMail(f"phần tiêu đề quá lớn ({len(header_block)} byte)")
    parts = raw.lower().count(b"content-type:")
    if parts > MAX_PARTS:
        raise UnparseableMail(f"thư có quá nhiều phần MIME ({parts})")
    try:
        msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw, headersonly=headers_only)
        if not msg.keys():
            raise UnparseableMail("không có phần tiêu đề (header) hợp lệ")
        fatal = [d for part in msg.walk() for d in part.defects if isinstance(d, _FATAL_DEFECTS)]
        if fatal:
            raise UnparseableMail(f"cấu trúc MIME hỏng: {type(fatal[0]).__name__}")
        mail = _build(msg, len(raw))
        return dataclasses.replace(mail, attachments=()) if headers_only else mail
    except UnparseableMail:
        raise
    except Exception as exc:  # the email package raises many kinds on hostile input
        raise UnparseableMail(f"lỗi phân tích thư: {type(exc).__name__}: {exc}") from exc


def _build(msg: EmailMessage, size: int) -> ParsedMail:
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        # as on the wire, unfolded: the rules read ASCII tokens (Auto-Submitted, Precedence, List-Id),
        # and decoding every header through the header registry was half of the parsing time
        headers.setdefault(name.lower(), []).append(nfc(strip_controls(str(value))))
    raw_subject = _subject(msg)
    return ParsedMail(
        message_id=_msgid(msg.get("Message-ID")),
        subject=nfc(strip_controls(raw_subject)),
        raw_subject=raw_subject,
        from_addresses=_addresses(msg),
        return_path=_return_path(msg),
        date=_date(msg),
        headers={k: tuple(v) for k, v in headers.items()},
        attachments=tuple(_attachments(msg)),
        content_type=msg.get_content_type(),
        in_reply_to=_msgid(msg.get("In-Reply-To")),
        references=tuple(_MSGID.findall(str(msg.get("References", "")))),
        size=size,
    )


def _subject(msg: EmailMessage) -> str:
    """The decoded subject before any cleaning: C1 control characters are still there, because
    mojibake repair needs them ("Ä\x90" is "Đ"); only folding whitespace is made a space."""
    raw_items = [v for k, v in msg.raw_items() if k.lower() == "subject"]
    if not raw_items:
        return ""
    decoded = str(msg.policy.header_fetch_parse("Subject", raw_items[0]))
    if "\ufffd" in decoded or any("\udc80" <= ch <= "\udcff" for ch in decoded):
        decoded = _redecode(str(raw_items[0])) or decoded
    return unsurrogate(decoded).translate(_FOLDING_WHITESPACE)


def _redecode(raw_value: str) -> str | None:
    """Second chance for a subject that decoded badly: unlabelled 8-bit bytes (kept as surrogate
    escapes) or encoded-words whose bytes are not in their declared charset. Try the label, then
    UTF-8, then the Vietnamese Windows code page cp1258."""
    try:
        chunks = email.header.decode_header(raw_value)
    except Exception:
        return None
    text = []
    for data, charset in chunks:
        if isinstance(data, str):
            data = data.encode("ascii", "surrogateescape")
        for candidate in (charset, "utf-8", "cp1258"):
            if candidate is None:
                continue
            try:
                text.append(data.decode(candidate))
                break
            except (LookupError, UnicodeDecodeError):
                continue
        else:
            text.append(data.decode("utf-8", "replace"))
    return "".join(text)


def _addresses(msg: EmailMessage) -> tuple[Address, ...]:
    found: list[Address] = []
    for header in msg.get_all("From") or []:
        parsed = False
        for addr in getattr(header, "addresses", ()):
            if addr.username and addr.domain:
                address = nfc(f"{addr.username}@{addr.domain}").lower()  # raw 8-bit bytes become text
                found.append(Address(nfc(addr.display_name or ""), address))
                parsed = True
        if not parsed:
            # "x＠bentre.edu.vn" (fullwidth at) is no address to the parser, but it is a look-alike
            # the rules must see, not a message without a sender
            match = _LOOKALIKE_AT.search(nfc(str(header)))
            if match:
                found.append(Address("", match.group(1).lower()))
    return tuple(found)


def _return_path(msg: EmailMessage) -> str | None:
    value = msg.get("Return-Path")
    if value is None:
        return None
    return str(value).strip().strip("<>").strip().lower()


def _date(msg: EmailMessage) -> datetime | None:
    header = msg.get("Date")
    when = getattr(header, "datetime", None)
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _msgid(value: object) -> str | None:
    if value is None:
        return None
    match = _MSGID.search(str(value))
    return match.group(0) if match else None


def _attachments(msg: EmailMessage) -> list[Attachment]:
    found = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename is None and part.get_content_disposition() != "attachment":
            continue
        data = part.get_payload(decode=True) or b""
        found.append(Attachment(nfc(strip_controls(filename or "")), part.get_content_type(), data))
    return found
