"""mailbot.service.replies: the Vietnamese receipt or rejection as finished RFC 5322 bytes, and its small helpers."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import unicodedata
from datetime import datetime, timedelta, timezone
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest

from mailbot.core.mail import Address, ParsedMail, parse_mail
from mailbot.core.units import Registry, Unit
from mailbot.core.verdict import Action, Reason, Verdict
from mailbot.pipeline import judge
from mailbot.rules import Policy
from mailbot.service.replies import Reply, ReplyContext, compose, local_time_text, reference_for, size_text
from tests.unit.office_files import docx, padded, xlsx

OFFICE_NAME = "Phòng Giáo dục và Đào tạo huyện Bình Đại"
CTX = ReplyContext(OFFICE_NAME, "pgdbinhdai@bentre.edu.vn", "bentre.edu.vn", "Asia/Ho_Chi_Minh")
RECEIVED = datetime(2025, 10, 14, 1, 30, tzinfo=timezone.utc)  # 08:30 in Bến Tre
NOW = datetime(2025, 10, 14, 1, 31, tzinfo=timezone.utc)
REFERENCE = "PGD-2025-000042"
THCS = "thcsthoilai.binhdai@bentre.edu.vn"
# The attachments rule judges content: a receipt needs a real workbook, grown to 12,600 bytes ("12,3 KB")
REPORT_XLSX = padded(xlsx(), 12_600)


def school_mail(
    subject: str = "THCS Thới Lai - Báo cáo tháng 10",
    from_: str = f"Trường THCS Thới Lai <{THCS}>",
    message_id: str | None = "<bc-10@bentre.edu.vn>",
    references: str | None = None,
    attachment: tuple[str, bytes] | None = ("Báo cáo tháng 10.xlsx", REPORT_XLSX),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = from_
    msg["To"] = "pgdbinhdai@bentre.edu.vn"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 14 Oct 2025 08:29:00 +0700"
    if message_id:
        msg["Message-ID"] = message_id
    if references:
        msg["References"] = references
    msg.set_content("Kính gửi Phòng GD&ĐT.")
    if attachment:
        msg.add_attachment(attachment[1], maintype="application", subtype="octet-stream", filename=attachment[0])
    return msg.as_bytes()


def reply_for(mail: ParsedMail, registry: Registry, policy: Policy) -> Reply | None:
    verdict, parts = judge(mail, registry, policy)
    unit = registry.units.get(verdict.unit_id) if verdict.unit_id else None
    return compose(CTX, mail, verdict, parts, unit, REFERENCE, RECEIVED, NOW)


def read_back(reply: Reply | None) -> EmailMessage:
    assert reply is not None
    return email.message_from_bytes(reply.raw, policy=email.policy.default)  # type: ignore[return-value]


def body_of(msg: EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def shown(reply: Reply | None, name: str) -> str:
    """A header as a mail client shows it: unfolded, then RFC 2047-decoded (not Python's structured parse)."""
    assert reply is not None
    header_block = reply.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    lines = header_block.replace("\r\n ", " ").replace("\r\n\t", "\t").split("\r\n")
    (value,) = [line.split(":", 1)[1][1:] for line in lines if line.lower().startswith(name.lower() + ":")]
    return str(make_header(decode_header(value)))


EXPECTED_HEADERS = [
    "from", "to", "subject", "date", "message-id", "in-reply-to", "references",
    "auto-submitted", "x-auto-response-suppress", "x-mailbot-reference",
    "content-type", "content-transfer-encoding", "mime-version",
]


# --- receipt and rejection -------------------------------------------------------------------------
def test_receipt(registry, policy) -> None:
    reply = reply_for(parse_mail(school_mail()), registry, policy)
    msg = read_back(reply)
    assert reply is not None and reply.kind == "receipt" and reply.recipient == THCS
    assert shown(reply, "Subject") == "[Đã nhận] THCS Thới Lai - Báo cáo tháng 10"
    body = body_of(msg)
    assert "Kính gửi: Trường Trung học cơ sở Thới Lai," in body
    assert f"Số tiếp nhận: {REFERENCE}" in body
    assert "Thời điểm nhận: 08:30 ngày 14/10/2025 (giờ Việt Nam)" in body
    assert "- Báo cáo tháng 10.xlsx (12,3 KB)" in body
    assert "Lý do" not in body


def test_receipt_without_attachments_says_so(registry, policy) -> None:
    body = body_of(read_back(reply_for(parse_mail(school_mail(attachment=None)), registry, policy)))
    assert "Tệp đính kèm: không có" in body


def test_rejection(registry, policy) -> None:
    raw = school_mail(subject="THCS Thới Lai - Báo cáo tháng 10", from_="TH Thới Lai <ththoilai.binhdai@bentre.edu.vn>")
    reply = reply_for(parse_mail(raw), registry, policy)
    msg = read_back(reply)
    assert reply is not None and reply.kind == "rejection"
    assert shown(reply, "Subject") == "[Chưa hợp lệ] THCS Thới Lai - Báo cáo tháng 10"
    body = body_of(msg)
    assert "Kính gửi: Trường Tiểu học Thới Lai," in body
    assert '1. Tiêu đề ghi tên "THCS Thới Lai" nhưng thư được gửi từ hộp thư của TH Thới Lai.' in body
    assert "Cách khắc phục: Mỗi đơn vị gửi báo cáo của mình từ hộp thư của chính đơn vị" in body
    assert "Ví dụ tiêu đề đúng: TH Thới Lai - Báo cáo tháng 10" in body  # built from the sender's own unit
    assert "@bentre.edu.vn), kèm tệp báo cáo" in body


def test_rejection_of_a_personal_address_numbers_every_reason(registry, policy) -> None:
    raw = school_mail(subject="Báo cáo tháng 10", from_="Cô Lan - TH Thới Lai <colan.ththoilai@gmail.com>")
    reply = reply_for(parse_mail(raw), registry, policy)
    body = body_of(read_back(reply))
    assert reply is not None and reply.recipient == "colan.ththoilai@gmail.com"
    assert "Kính gửi: Cô Lan - TH Thới Lai," in body  # no unit: the display name
    assert "1. Thư được gửi từ địa chỉ colan.ththoilai@gmail.com" in body
    # the display name names a school from a Gmail address: sender-display-name (docs/rules.md, N152)
    assert '2. Tên hiển thị "Cô Lan - TH Thới Lai" ghi là TH Thới Lai nhưng địa chỉ gửi colan.ththoilai@gmail.com' in body
    assert '3. Tiêu đề "Báo cáo tháng 10" chưa ghi rõ tên đơn vị' in body
    assert "4. " not in body
    assert "Ví dụ tiêu đề đúng: Tên đơn vị - Báo cáo tháng 10" in body


# --- headers ---------------------------------------------------------------------------------------
def test_reply_headers(registry, policy) -> None:
    raw = school_mail(references="<r1@bentre.edu.vn> <r2@bentre.edu.vn>")
    reply = reply_for(parse_mail(raw), registry, policy)
    msg = read_back(reply)
    assert reply is not None
    assert sorted(k.lower() for k in msg.keys()) == sorted(EXPECTED_HEADERS)  # each header once, none injected
    assert msg.get_all("To") == [THCS]
    assert [a.addr_spec for a in msg["To"].addresses] == [THCS]
    assert msg["From"].addresses[0].addr_spec == "pgdbinhdai@bentre.edu.vn"
    assert shown(reply, "From") == f"{OFFICE_NAME} <pgdbinhdai@bentre.edu.vn>"
    assert msg["In-Reply-To"] == "<bc-10@bentre.edu.vn>"
    assert msg["References"].split() == ["<r1@bentre.edu.vn>", "<r2@bentre.edu.vn>", "<bc-10@bentre.edu.vn>"]
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["X-Mailbot-Reference"] == REFERENCE
    assert msg["Message-ID"].strip() == reply.message_id_header  # folded onto its own line by the generator
    assert reply.message_id_header.startswith("<") and reply.message_id_header.endswith("@bentre.edu.vn>")
    assert REFERENCE in reply.message_id_header
    assert msg["Date"].datetime == NOW
    assert msg["Date"].datetime.utcoffset() == timedelta(hours=7)


def test_references_keep_the_last_ten(registry, policy) -> None:
    older = [f"<r{i}@bentre.edu.vn>" for i in range(15)]
    msg = read_back(reply_for(parse_mail(school_mail(references=" ".join(older))), registry, policy))
    assert msg["References"].split() == [*older[-10:], "<bc-10@bentre.edu.vn>"]


def test_no_threading_headers_without_a_message_id(registry, policy) -> None:
    msg = read_back(reply_for(parse_mail(school_mail(message_id=None)), registry, policy))
    assert msg["In-Reply-To"] is None and msg["References"] is None
    assert msg["Message-ID"] is not None and msg["Auto-Submitted"] == "auto-replied"


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda: parse_mail(
                school_mail(subject="x")
                .replace(b"Subject: x", b"Subject: =?utf-8?Q?THCS_Th=E1=BB=9Bi_Lai_-_B=C3=A1o_c=C3=A1o=0D=0ABcc:_x@evil.example?=")
            ),
            id="encoded-crlf-parsed",
        ),
        pytest.param(
            lambda: dataclasses.replace(
                parse_mail(school_mail()), subject="THCS Thới Lai - Báo cáo\r\nBcc: x@evil.example\r\nX-Evil: 1"
            ),
            id="crlf-in-the-model",
        ),
        pytest.param(
            lambda: dataclasses.replace(
                parse_mail(school_mail()), subject="THCS Thới Lai - Báo cáo\nBcc: x@evil.example\u2028Cc: y@evil.example"
            ),
            id="lf-and-line-separator",
        ),
    ],
)
def test_header_injection_through_the_subject_adds_no_header(registry, policy, build) -> None:
    clean = read_back(reply_for(parse_mail(school_mail()), registry, policy))
    reply = reply_for(build(), registry, policy)
    msg = read_back(reply)
    assert reply is not None
    assert [k.lower() for k in msg.keys()] == [k.lower() for k in clean.keys()]  # no header added
    assert msg["Bcc"] is None and msg["Cc"] is None and msg["X-Evil"] is None
    assert msg.get_all("To") == [THCS]
    assert "\r" not in msg["Subject"] and "\n" not in msg["Subject"]
    assert "Bcc: x@evil.example" in msg["Subject"]  # harmless text inside the one Subject header
    header_block = reply.raw.split(b"\r\n\r\n", 1)[0]
    for line in header_block.split(b"\r\n"):
        assert not line.lower().startswith((b"bcc", b"cc:", b"x-evil"))


def test_long_subject_is_cut_to_one_bounded_line(registry, policy) -> None:
    long_subject = "THCS Thoi Lai - " + "Bao cao " * 40  # ASCII, so this checks the cut, not the encoding
    mail = dataclasses.replace(parse_mail(school_mail()), subject=long_subject)
    assert shown(reply_for(mail, registry, policy), "Subject") == "[Đã nhận] " + long_subject[:199] + "…"


@pytest.mark.parametrize(
    ("sender", "subject", "tag"),
    [
        pytest.param("mgthuaduc.binhdai@bentre.edu.vn", "MG Thừa Đức - Báo cáo tháng 11/2022", "[Đã nhận]",
                     id="receipt-S003"),
        pytest.param("ththuaduc.binhdai@bentre.edu.vn", "MG Thừa Đức - Báo cáo tháng 11/2022", "[Chưa hợp lệ]",
                     id="rejection-S003"),
        pytest.param("thchauhunga.binhdai@bentre.edu.vn", "TH Châu Hưng A – Báo cáo tháng 10/2022 (bổ sung lần 2)",
                     "[Đã nhận]", id="receipt-en-dash"),
        pytest.param("thcsthoilai.binhdai@bentre.edu.vn",
                     "THCS Thới Lai - Báo cáo tháng 10/2022 (bổ sung lần 2 theo công văn số 125/PGDĐT-VP)",
                     "[Đã nhận]", id="receipt-long"),
    ],
)
def test_vietnamese_subject_reaches_the_school_unchanged(registry, policy, sender, subject, tag) -> None:
    # Folding the encoded Subject must not move a space between two encoded-words, where RFC 2047 drops it.
    reply = reply_for(parse_mail(school_mail(subject=subject, from_=sender)), registry, policy)
    assert shown(reply, "Subject") == f"{tag} {subject}"
    assert str(read_back(reply)["Subject"]) == f"{tag} {subject}"


# --- body ------------------------------------------------------------------------------------------
def test_body_is_quoted_printable_utf8_and_nfc(registry, policy) -> None:
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    raw = school_mail(subject=nfd("THCS Thới Lai - Báo cáo tháng 10"), attachment=(nfd("Báo cáo.docx"), padded(docx(), 950)))
    reply = reply_for(parse_mail(raw), registry, policy)
    msg = read_back(reply)
    assert reply is not None
    assert msg["Content-Transfer-Encoding"] == "quoted-printable"
    assert msg.get_content_charset() == "utf-8"
    assert reply.raw.isascii()
    assert b"Ph=C3=B2ng Gi=C3=A1o d=E1=BB=A5c" in reply.raw  # "Phòng Giáo dục", encoded from NFC
    body = body_of(msg)
    assert unicodedata.is_normalized("NFC", body)
    assert "Tiêu đề: THCS Thới Lai - Báo cáo tháng 10" in body
    assert "- Báo cáo.docx (950 byte)" in body
    assert body.rstrip().endswith("(Thư này được gửi tự động từ hộp thư nhận báo cáo; xin không trả lời thư này.)")


def test_quoted_printable_lines_fit_rfc_2045(registry, policy) -> None:
    reply = reply_for(parse_mail(school_mail()), registry, policy)
    assert reply is not None
    body = reply.raw.split(b"\r\n\r\n", 1)[1]
    too_long = [line for line in body.split(b"\r\n") if len(line) > 76]
    assert too_long == [], "RFC 2045 6.7: encoded lines are at most 76 characters"


# --- nobody to answer ------------------------------------------------------------------------------
def test_ignored_verdict_gets_no_reply(registry, policy) -> None:
    raw = school_mail().replace(b"MIME-Version", b"Auto-Submitted: auto-replied\r\nMIME-Version", 1)
    mail = parse_mail(raw)
    verdict, parts = judge(mail, registry, policy)
    assert verdict.action is Action.IGNORE
    assert compose(CTX, mail, verdict, parts, None, REFERENCE, RECEIVED, NOW) is None


def test_no_single_sender_gets_no_reply(registry, policy) -> None:
    mail = parse_mail(school_mail(from_="a@bentre.edu.vn, b@bentre.edu.vn"))
    verdict = Verdict(Action.REJECT, (Reason("subject-format", Action.REJECT, {"subject": "x"}),), None)
    _, parts = judge(mail, registry, policy)
    assert compose(CTX, mail, verdict, parts, None, REFERENCE, RECEIVED, NOW) is None


# --- look-alike (non-ASCII) sender addresses -------------------------------------------------------
def test_raw_8bit_look_alike_address_is_rejected_but_never_answered(registry, policy) -> None:
    # row S163: bentrе.edu.vn with a Cyrillic е, sent as raw UTF-8 in From. The address is decoded
    # text (not surrogates), the message is rejected, and no reply goes to a look-alike address.
    raw = school_mail().replace(f"<{THCS}>".encode(), "<thphulong.binhdai@bentr\u0435.edu.vn>".encode("utf-8"))
    mail = parse_mail(raw)
    verdict, _ = judge(mail, registry, policy)
    assert verdict.action is Action.REJECT
    # sender-lookalike replaces sender-domain; the display name claims a school the address is not
    assert [r.code for r in verdict.reasons] == ["sender-lookalike", "sender-display-name"]
    assert verdict.reasons[0].details == {
        "address": "thphulong.binhdai@bentr\u0435.edu.vn", "resembles": "thphulong.binhdai@bentre.edu.vn"
    }
    assert mail.sender is not None and mail.sender.address == "thphulong.binhdai@bentr\u0435.edu.vn"
    assert reply_for(mail, registry, policy) is None


def test_punycode_look_alike_address_is_never_answered(registry, policy) -> None:
    # docs/rules.md sender-lookalike: "never answered (no reply goes to an address that is not what it
    # pretends to be)". A punycode domain is plain ASCII, so the isascii() guard alone lets a reply out.
    raw = school_mail(from_="Trường THCS Thới Lai <thcsthoilai.binhdai@xn--bentr-3we.edu.vn>")
    mail = parse_mail(raw)
    verdict, _ = judge(mail, registry, policy)
    assert [r.code for r in verdict.reasons] == ["sender-lookalike", "sender-display-name"]
    assert reply_for(mail, registry, policy) is None


def test_held_verdict_gets_no_reply(registry, policy) -> None:
    # hold: "recorded, not answered until a person decides"; here a Cyrillic а in the display name
    mail = parse_mail(school_mail(from_=f"THCS Thới L\u0430i <{THCS}>"))
    verdict, parts = judge(mail, registry, policy)
    assert verdict.action is Action.HOLD
    assert [r.code for r in verdict.reasons] == ["sender-name-lookalike"]
    assert compose(CTX, mail, verdict, parts, None, REFERENCE, RECEIVED, NOW) is None


def test_non_ascii_address_is_never_written_as_an_encoded_word(units: dict[str, Unit]) -> None:
    look_alike = "thphulong.binhdai@bentr\u0435.edu.vn"
    mail = dataclasses.replace(parse_mail(school_mail()), from_addresses=(Address("", look_alike),))
    verdict = Verdict(
        Action.REJECT, (Reason("sender-domain", Action.REJECT, {"address": look_alike, "domain": "bentre.edu.vn"}),), None
    )
    _, parts = judge(mail, Registry(units.values()), Policy("bentre.edu.vn", frozenset()))
    reply = compose(CTX, mail, verdict, parts, None, REFERENCE, RECEIVED, NOW)
    if reply is not None:  # not answering a look-alike domain at all would also be correct
        to_line = next(line for line in reply.raw.split(b"\r\n") if line.startswith(b"To:"))
        assert b"=?" not in to_line, f"RFC 2047 forbids encoded-words in an addr-spec: {to_line!r}"


# --- helpers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 byte"),
        (950, "950 byte"),
        (1023, "1023 byte"),
        (1024, "1,0 KB"),
        (12_600, "12,3 KB"),
        (1_572_864, "1,5 MB"),
        (1_048_575, "1,0 MB"),  # one byte short of 1 MiB must not read "1024,0 KB"
        (5 * 1024**3, "5,0 GB"),
        (3 * 1024**4, "3072,0 GB"),
    ],
)
def test_size_text(size: int, text: str) -> None:
    assert size_text(size) == text


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (datetime(2025, 10, 14, 1, 30, tzinfo=timezone.utc), "08:30 ngày 14/10/2025 (giờ Việt Nam)"),
        (datetime(2025, 12, 31, 17, 5, tzinfo=timezone.utc), "00:05 ngày 01/01/2026 (giờ Việt Nam)"),
        (datetime(2025, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=7))), "09:00 ngày 02/03/2025 (giờ Việt Nam)"),
    ],
)
def test_local_time_text_is_asia_ho_chi_minh(when: datetime, text: str) -> None:
    assert local_time_text(when, "Asia/Ho_Chi_Minh") == text


def test_reference_uses_the_local_year() -> None:
    new_year_in_vietnam = datetime(2025, 12, 31, 18, 0, tzinfo=timezone.utc)
    assert reference_for(42, new_year_in_vietnam, "Asia/Ho_Chi_Minh") == "PGD-2026-000042"
