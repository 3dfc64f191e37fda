"""mailbot.core.mail.parse_mail: raw RFC 5322 bytes in, a decoded, NFC ParsedMail out (or UnparseableMail)."""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from urllib.parse import quote

import pytest

from mailbot.core.mail import ParsedMail, UnparseableMail, parse_mail

SUBJECT = "THCS Thới Lai - Báo cáo tháng 10/2022"
FROM = b"From: =?utf-8?Q?Tr=C6=B0=E1=BB=9Dng_THCS?= <thcsthoilai.binhdai@bentre.edu.vn>\r\n"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def b_word(text: str) -> str:
    return "=?UTF-8?B?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


def cp1258(text: str) -> bytes:
    """What a Vietnamese Windows client writes: base letters precomposed, tones as combining bytes."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", decomposed[:-1]).encode("cp1258") + decomposed[-1].encode("cp1258")
    return out


def message(*header_lines: bytes, body: bytes = b"Kinh gui Phong.\r\n") -> bytes:
    return FROM + b"To: pgdbinhdai@bentre.edu.vn\r\n" + b"".join(header_lines) + b"\r\n" + body


def with_subject(raw_value: bytes) -> ParsedMail:
    return parse_mail(message(b"Subject: " + raw_value + b"\r\n"))


# --- subject -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw_value",
    [
        pytest.param(b_word(SUBJECT).encode(), id="rfc2047-B"),
        pytest.param(
            b"=?utf-8?Q?THCS_Th=E1=BB=9Bi_Lai_-_B=C3=A1o_c=C3=A1o_th=C3=A1ng_10/2022?=", id="rfc2047-Q-lower-label"
        ),
        pytest.param(
            b"=?UTF-8?Q?THCS_Th=E1=BB=9Bi_Lai?= - =?UTF-8?Q?B=C3=A1o_c=C3=A1o_th=C3=A1ng?= 10/2022",
            id="rfc2047-Q-mixed-with-ascii",
        ),
        pytest.param(
            (b_word("THCS Thới Lai - ") + "\r\n\t" + b_word("Báo cáo tháng 10/2022")).encode(),
            id="folded-adjacent-encoded-words",
        ),
        pytest.param(SUBJECT.encode("utf-8"), id="raw-8bit-utf8"),
        pytest.param(cp1258(SUBJECT), id="raw-8bit-cp1258"),
        pytest.param(nfd(SUBJECT).encode("utf-8"), id="raw-8bit-utf8-nfd"),
        pytest.param(b_word(nfd(SUBJECT)).encode(), id="rfc2047-B-nfd"),
        pytest.param(b"=?windows-1258?B?" + base64.b64encode(cp1258(SUBJECT)) + b"?=", id="rfc2047-cp1258-label"),
    ],
)
def test_subject_is_decoded_to_nfc(raw_value: bytes) -> None:
    subject = with_subject(raw_value).subject
    assert subject == SUBJECT
    assert unicodedata.is_normalized("NFC", subject)


def test_cp1258_bytes_really_are_not_utf8() -> None:
    """Guard for the test above: the cp1258 sample must take the recovery path, not the UTF-8 one."""
    data = cp1258(SUBJECT)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b"\xec" in data  # the separate combining acute of cp1258


def test_folded_encoded_subject_with_tab_reads_as_one_line() -> None:
    # row S031 of the subjects sample: a TAB-folded Q header (policy.default keeps the TAB)
    raw_value = b"TH =?UTF-8?Q?Ph=C3=BA_Thu=E1=BA=ADn?= -\r\n\t=?UTF-8?Q?B=C3=A1o_c=C3=A1o_th=C3=A1ng?= 1/2023"
    assert with_subject(raw_value).subject == "TH Phú Thuận - Báo cáo tháng 1/2023"


@pytest.mark.parametrize(
    ("raw_value", "expected"),
    [
        (b"  THCS\xc2\xa0Th\xe1\xbb\x9bi Lai  -   B\xc3\xa1o c\xc3\xa1o  ", "THCS Thới Lai - Báo cáo"),
        (b"=?utf-8?Q?THCS_Th=E1=BB=9Bi_Lai_-_B=C3=A1o_c=C3=A1o=0D=0ABcc:_x@evil.example?=",
         "THCS Thới Lai - Báo cáo Bcc: x@evil.example"),
        (b"=?utf-8?Q?B=C3=A1o=E2=80=8B_c=C3=A1o?=", "Báo cáo"),  # ZWSP
        (b"=?utf-8?Q?=C3=90=E1=BA=A1i_H=C3=B2a_L=E1=BB=99c?=", "Đại Hòa Lộc"),  # Eth Ð -> Đ
    ],
)
def test_subject_is_cleaned(raw_value: bytes, expected: str) -> None:
    assert with_subject(raw_value).subject == expected


def test_missing_subject_is_empty() -> None:
    assert parse_mail(message()).subject == ""


def test_subject_labelled_utf8_but_not_utf8_is_decoded_not_left_as_wire_text() -> None:
    # An old client labels cp1258 bytes as UTF-8. Whatever the repair, the subject must never become the
    # undecoded encoded-word itself.
    raw_value = b"=?utf-8?B?" + base64.b64encode(cp1258(SUBJECT)) + b"?="
    subject = with_subject(raw_value).subject
    assert "=?" not in subject
    assert subject.startswith("THCS Th")


def test_subject_holding_a_real_replacement_character_is_decoded() -> None:
    raw_value = b_word("B\ufffdo c\ufffdo").encode()  # the sender's client already lost the letters
    assert with_subject(raw_value).subject == "B\ufffdo c\ufffdo"


# --- attachments ---------------------------------------------------------------------------------
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAME = "Báo cáo tháng 10 - THCS Thới Lai.xlsx"
DATA = b"PK\x03\x04" + bytes(range(256)) * 3


def with_attachment(disposition: str, content_type: str = XLSX) -> ParsedMail:
    body = (
        "--BB\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKinh gui.\r\n"
        f"--BB\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: base64\r\n{disposition}\r\n\r\n"
        + base64.encodebytes(DATA).decode("ascii").replace("\n", "\r\n")
        + "--BB--\r\n"
    )
    head = b"Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BB\"\r\n"
    return parse_mail(message(head, body=body.encode("ascii")))


ENCODED_NFD = quote(nfd(FILENAME).encode("utf-8"))


@pytest.mark.parametrize(
    ("disposition", "content_type"),
    [
        pytest.param(f"Content-Disposition: attachment; filename*=utf-8''{ENCODED_NFD}", XLSX, id="rfc2231-nfd"),
        pytest.param(
            f"Content-Disposition: attachment; filename*=UTF-8''{quote(FILENAME.encode('utf-8'))}", XLSX, id="rfc2231"
        ),
        pytest.param(
            "Content-Disposition: attachment;\r\n"
            f" filename*0*=utf-8''{ENCODED_NFD[:30]};\r\n filename*1*={ENCODED_NFD[30:]}",
            XLSX,
            id="rfc2231-continuations",
        ),
        pytest.param(f'Content-Disposition: attachment; filename="{b_word(nfd(FILENAME))}"', XLSX, id="rfc2047-nfd"),
        pytest.param("Content-Disposition: attachment", f'{XLSX}; name="{b_word(FILENAME)}"', id="rfc2047-in-name"),
    ],
)
def test_attachment_filename_is_decoded_to_nfc(disposition: str, content_type: str) -> None:
    (attachment,) = with_attachment(disposition, content_type).attachments
    assert attachment.filename == FILENAME
    assert unicodedata.is_normalized("NFC", attachment.filename)


def test_attachment_bytes_size_and_hash() -> None:
    (attachment,) = with_attachment(f"Content-Disposition: attachment; filename*=utf-8''{ENCODED_NFD}").attachments
    assert attachment.data == DATA
    assert attachment.size == len(DATA) == 772
    assert attachment.sha256 == hashlib.sha256(DATA).hexdigest()
    assert attachment.content_type == XLSX


def test_attachment_without_a_name_is_kept_with_an_empty_name() -> None:
    (attachment,) = with_attachment("Content-Disposition: attachment").attachments
    assert attachment.filename == ""
    assert attachment.data == DATA


def test_the_text_body_is_not_an_attachment() -> None:
    assert parse_mail(message(b"Subject: x\r\n")).attachments == ()


def test_email_message_built_attachment_roundtrip() -> None:
    msg = EmailMessage()
    msg["From"] = "THCS Thới Lai <thcsthoilai.binhdai@bentre.edu.vn>"
    msg["To"] = "pgdbinhdai@bentre.edu.vn"
    msg["Subject"] = nfd(SUBJECT)
    msg.set_content("Kính gửi Phòng.")
    msg.add_attachment(DATA, maintype="application", subtype="zip", filename=nfd("Báo cáo.zip"))
    mail = parse_mail(msg.as_bytes())
    assert mail.subject == SUBJECT
    assert [(a.filename, a.content_type, a.size) for a in mail.attachments] == [("Báo cáo.zip", "application/zip", 772)]
    assert mail.content_type == "multipart/mixed"


# --- date ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"Tue, 14 Oct 2025 08:30:00 +0700", datetime(2025, 10, 14, 8, 30, tzinfo=timezone(timedelta(hours=7)))),
        (b"Tue, 14 Oct 2025 08:30:00 +0000", datetime(2025, 10, 14, 8, 30, tzinfo=timezone.utc)),
        (b"Tue, 14 Oct 2025 08:30:00 -0000", datetime(2025, 10, 14, 8, 30, tzinfo=timezone.utc)),
        (b"Tue, 14 Oct 2025 08:30:00", datetime(2025, 10, 14, 8, 30, tzinfo=timezone.utc)),
        (b"14 Oct 2025 08:30 +0700", datetime(2025, 10, 14, 8, 30, tzinfo=timezone(timedelta(hours=7)))),
        (b"Tue, 14 Oct 2025 08:30:00 +0700 (ICT)", datetime(2025, 10, 14, 8, 30, tzinfo=timezone(timedelta(hours=7)))),
    ],
)
def test_date_is_timezone_aware(value: bytes, expected: datetime) -> None:
    when = parse_mail(message(b"Date: " + value + b"\r\n")).date
    assert when is not None and when.tzinfo is not None
    assert when.utcoffset() == expected.utcoffset()
    assert when == expected


@pytest.mark.parametrize("lines", [b"", b"Date: yesterday\r\n", b"Date: 32/13/2022\r\n"])
def test_missing_or_unreadable_date_is_none(lines: bytes) -> None:
    assert parse_mail(message(lines)).date is None


# --- addresses -----------------------------------------------------------------------------------
def test_single_from_is_the_sender() -> None:
    mail = parse_mail(message())
    assert mail.sender is not None
    assert mail.sender.address == "thcsthoilai.binhdai@bentre.edu.vn"
    assert mail.sender.display_name == "Trường THCS"
    assert mail.sender.domain == "bentre.edu.vn"


def test_from_address_is_lower_cased() -> None:
    mail = parse_mail(b'From: "THCS" <THCSThoiLai.BinhDai@BenTre.EDU.VN>\r\nSubject: x\r\n\r\nbody\r\n')
    assert mail.sender is not None and mail.sender.address == "thcsthoilai.binhdai@bentre.edu.vn"


@pytest.mark.parametrize(
    "from_value",
    [
        b"a@bentre.edu.vn, b@bentre.edu.vn",
        b"THCS A <a@bentre.edu.vn>, Gmail <b@gmail.com>",
        b"Nhom: a@bentre.edu.vn, b@bentre.edu.vn;",
    ],
)
def test_several_from_addresses_mean_no_sender(from_value: bytes) -> None:
    mail = parse_mail(b"From: " + from_value + b"\r\nSubject: x\r\n\r\nbody\r\n")
    assert len(mail.from_addresses) == 2
    assert mail.sender is None


@pytest.mark.parametrize("from_line", [b"", b"From: \r\n", b"From: undisclosed-recipients:;\r\n", b"From: THCS Thoi Lai\r\n"])
def test_missing_or_empty_from_means_no_sender(from_line: bytes) -> None:
    mail = parse_mail(from_line + b"To: pgdbinhdai@bentre.edu.vn\r\nSubject: x\r\n\r\nbody\r\n")
    assert mail.from_addresses == ()
    assert mail.sender is None


def test_raw_8bit_look_alike_address_is_decoded_text_not_surrogates() -> None:
    # row S163 of the subjects sample: the domain is bentrе.edu.vn with a Cyrillic е (U+0435), sent as raw UTF-8
    raw = "From: <thphulong.binhdai@bentr\u0435.edu.vn>\r\nSubject: x\r\n\r\nbody\r\n".encode("utf-8")
    sender = parse_mail(raw).sender
    assert sender is not None
    assert sender.address == "thphulong.binhdai@bentr\u0435.edu.vn"
    sender.address.encode("utf-8")  # must be storable and sendable


def test_return_path() -> None:
    assert parse_mail(message(b"Return-Path: <THCS@BenTre.edu.vn>\r\n")).return_path == "thcs@bentre.edu.vn"
    assert parse_mail(message(b"Return-Path: <>\r\n")).return_path == ""
    assert parse_mail(message()).return_path is None


# --- threading headers ---------------------------------------------------------------------------
def test_message_id_in_reply_to_and_references() -> None:
    mail = parse_mail(
        message(
            b"Message-ID:  <20221014.1@bentre.edu.vn> (Outlook)\r\n",
            b"In-Reply-To: Thu nhac <reminder-7@bentre.edu.vn>\r\n",
            b"References: <r1@bentre.edu.vn>\r\n\t<r2@bentre.edu.vn>  <reminder-7@bentre.edu.vn>\r\n",
        )
    )
    assert mail.message_id == "<20221014.1@bentre.edu.vn>"
    assert mail.in_reply_to == "<reminder-7@bentre.edu.vn>"
    assert mail.references == ("<r1@bentre.edu.vn>", "<r2@bentre.edu.vn>", "<reminder-7@bentre.edu.vn>")


def test_threading_headers_absent() -> None:
    mail = parse_mail(message())
    assert (mail.message_id, mail.in_reply_to, mail.references) == (None, None, ())


def test_message_id_without_angle_brackets_is_not_taken() -> None:
    assert parse_mail(message(b"Message-ID: 12345@host\r\n")).message_id is None


# --- headers for the rules -----------------------------------------------------------------------
def test_headers_are_keyed_lower_case_and_kept_as_sent() -> None:
    mail = parse_mail(
        message(
            b"Subject: =?utf-8?Q?Tr=E1=BA=A3_l=E1=BB=9Di_t=E1=BB=B1_=C4=91=E1=BB=99ng?=\r\n",
            b"Auto-Submitted: auto-replied\r\n",
            b"X-Custom: one\r\n",
            b"X-CUSTOM: two\r\n",
        )
    )
    assert mail.header("AUTO-SUBMITTED") == "auto-replied"
    assert mail.headers["subject"] == ("=?utf-8?Q?Tr=E1=BA=A3_l=E1=BB=9Di_t=E1=BB=B1_=C4=91=E1=BB=99ng?=",)
    assert mail.subject == "Trả lời tự động"  # the decoded form lives in the subject field
    assert mail.headers["x-custom"] == ("one", "two")
    assert mail.header("x-custom") == "one"
    assert mail.header("List-Id") is None


def test_content_type() -> None:
    raw = message(
        b"Subject: x\r\nMIME-Version: 1.0\r\n",
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n',
        body=b"--R\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--R--\r\n",
    )
    assert parse_mail(raw).content_type == "multipart/report"
    assert parse_mail(message()).content_type == "text/plain"


# --- mail the office cannot read -----------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"  \r\n\r\n\t\r\n", id="only-whitespace"),
        pytest.param(FROM + b"Subj\x00ect: x\r\n\r\nbody\r\n", id="nul-in-header-name"),
        pytest.param(FROM + b"Subject: Bao cao\x00\r\n\r\nbody\r\n", id="nul-in-header-value"),
        pytest.param(
            FROM + b"Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n"
            b"--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n",
            id="multipart-without-boundary",
        ),
        pytest.param(
            FROM + b'Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="zz"\r\n\r\n'
            b"--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n",
            id="boundary-never-found",
        ),
        pytest.param(FROM + b"Subject: x\r\nthis is not a header\r\nTo: a@b.vn\r\n\r\nbody\r\n", id="non-header-line"),
        pytest.param(b"Just a line of text, no headers at all\r\n", id="no-headers"),
    ],
)
def test_unparseable(raw: bytes) -> None:
    with pytest.raises(UnparseableMail):
        parse_mail(raw)


def test_unparseable_says_why() -> None:
    with pytest.raises(UnparseableMail, match="NUL"):
        parse_mail(FROM + b"Subj\x00ect: x\r\n\r\nbody\r\n")
    with pytest.raises(UnparseableMail, match="NoBoundaryInMultipartDefect"):
        parse_mail(FROM + b"Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nhi\r\n--x--\r\n")


def test_nul_in_the_body_is_not_fatal() -> None:
    mail = parse_mail(FROM + b"Subject: x\r\n\r\nbo\x00dy\r\n")
    assert mail.subject == "x"
