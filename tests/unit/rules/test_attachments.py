"""attachments: files are judged by their content, not their name: Word, Excel, archives (and PDF when
allowed); an executable, whatever its name, or a zip holding one is refused. The sniffing itself is tested
in tests/unit/core/test_attachments.py; here the rule's decisions, on real in-memory files."""

from __future__ import annotations

import dataclasses
import unicodedata
from email.message import EmailMessage

import pytest

from mailbot.core.mail import Attachment, ParsedMail, parse_mail
from mailbot.core.verdict import Action, Reason
from mailbot.pipeline import judge
from mailbot.rules.attachments import Attachments
from tests.unit.office_files import ELF, EXE, PDF, PNG, RAR, SEVEN_Z, SHELL_SCRIPT, XLS_HTML, docx, make_zip, xlsx

RULE = Attachments()
NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
ALLOWED = "tệp nén (zip, rar, 7z), Excel, Word"  # the default families, as the rejection names them
OCTET = "application/octet-stream"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def with_files(mail: ParsedMail, *files: tuple[str, bytes] | tuple[str, bytes, str]) -> ParsedMail:
    """The mail with these attachments (filename, data[, declared content type])."""
    attachments = tuple(Attachment(f[0], f[2] if len(f) == 3 else OCTET, f[1]) for f in files)  # type: ignore[misc]
    return dataclasses.replace(mail, attachments=attachments)


def mime_mail(*parts: tuple[str, bytes, str, str]) -> ParsedMail:
    """A real MIME message (filename, data, maintype/subtype, disposition), parsed like any mail."""
    msg = EmailMessage()
    msg["From"] = "thcsthoilai.binhdai@bentre.edu.vn"
    msg["To"] = "pgdbinhdai@bentre.edu.vn"
    msg["Subject"] = "THCS Thới Lai - Báo cáo tháng 10"
    msg["Message-ID"] = "<bc-10@bentre.edu.vn>"
    msg.set_content("Kính gửi Phòng GD&ĐT.")
    for filename, data, ctype, disposition in parts:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename, disposition=disposition)
    return parse_mail(msg.as_bytes())


def test_id_and_codes() -> None:
    assert RULE.id == "attachments"
    assert RULE.codes == ("attachment-missing", "attachment-disguised", "attachment-type")


def test_default_policy(policy) -> None:
    assert policy.allowed_attachments == frozenset({"word", "excel", "archive"})
    assert policy.require_attachment is False


# --- accepted ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "files",
    [
        pytest.param((), id="no-attachment-is-fine-by-default"),
        pytest.param((("Báo cáo tháng 10.docx", docx()),), id="docx"),
        pytest.param((("Báo cáo tháng 10.xlsx", xlsx()),), id="xlsx"),
        pytest.param((("BAO CAO.XLSX", xlsx()),), id="capital-extension"),
        pytest.param(((NFD("Báo cáo tháng 10.docx"), docx()),), id="nfd-name"),
        pytest.param((("Báo cáo.doc", docx()),), id="docx-renamed-doc-is-still-word"),
        pytest.param((("Báo cáo", xlsx()),), id="no-extension-but-a-workbook"),
        pytest.param((("Danh sách.xls", XLS_HTML),), id="html-table-exported-as-xls"),
        pytest.param((("Báo cáo.zip", make_zip(("Báo cáo.docx", docx()), ("Số liệu.xlsx", xlsx()))),), id="zip-of-reports"),
        pytest.param((("Báo cáo.rar", RAR),), id="rar"),
        pytest.param((("Báo cáo.7z", SEVEN_Z),), id="7z"),
        pytest.param((("a.docx", docx()), ("b.xlsx", xlsx())), id="two-good-files"),
        pytest.param((("logo.png", PNG, "image/png"),), id="an-image-in-the-body-is-not-counted"),
        pytest.param((("empty.xlsx", b""),), id="a-zero-byte-part-is-not-counted"),
    ],
)
def test_accepted(make_mail, make_case, policy, files) -> None:
    assert RULE.check(make_case(with_files(make_mail(), *files)), policy) is None


# --- attachment-disguised ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "filename, data",
    [
        pytest.param("Báo cáo tháng 10.xlsx", EXE, id="exe-named-xlsx"),
        pytest.param("Báo cáo tháng 10.docx", EXE, id="exe-named-docx"),
        pytest.param("baocao.docx.exe", EXE, id="double-extension"),
        pytest.param("SETUP.EXE", EXE, id="honest-exe-capitals"),
        pytest.param(NFD("Báo cáo.pdf"), EXE, id="exe-named-pdf-nfd"),
        pytest.param("Báo cáo.doc", ELF, id="elf"),
        pytest.param("Báo cáo.xls", SHELL_SCRIPT, id="shell-script"),
        pytest.param("Báo cáo.zip", make_zip(("Báo cáo.docx", docx()), ("BaoCao.exe", EXE)), id="zip-holding-an-exe"),
        pytest.param("Báo cáo.zip", make_zip(("Báo cáo.docx.exe", EXE)), id="zip-member-double-extension"),
        pytest.param("Báo cáo.zip", make_zip(("chay.bat", b"@echo off")), id="zip-holding-a-batch-file"),
        pytest.param("Báo cáo.zip", make_zip(("thu muc/BAOCAO.SCR", EXE)), id="zip-member-in-a-folder-capitals"),
        pytest.param("Báo cáo.zip", make_zip(("Báo cáo\u202excod.exe", EXE)), id="zip-member-right-to-left-override"),
        pytest.param("Báo cáo.zip", make_zip(("x.js", b"WScript.Echo(1)")), id="zip-holding-a-script"),
    ],
)
def test_executable_whatever_its_name_is_refused(make_mail, make_case, policy, filename, data) -> None:
    case = make_case(with_files(make_mail(), (filename, data)))
    assert RULE.check(case, policy) == Reason("attachment-disguised", Action.REJECT, {"filename": filename})


def test_executable_declared_as_an_image_is_still_refused(make_mail, make_case, policy) -> None:
    # "Files are judged by their content, not their name": the declared Content-Type is the sender's word,
    # just like the name; only real pictures pasted in the body are not counted
    case = make_case(with_files(make_mail(), ("Báo cáo.xlsx", EXE, "image/png")))
    assert RULE.check(case, policy) == Reason("attachment-disguised", Action.REJECT, {"filename": "Báo cáo.xlsx"})


def test_the_bad_file_is_named_even_after_a_good_one(make_mail, make_case, policy) -> None:
    case = make_case(with_files(make_mail(), ("Báo cáo.docx", docx()), ("Phụ lục.xlsx", EXE)))
    assert RULE.check(case, policy) == Reason("attachment-disguised", Action.REJECT, {"filename": "Phụ lục.xlsx"})


# --- attachment-type -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "filename, data",
    [
        pytest.param("Báo cáo tháng 10.xlsx", b"x" * 12_600, id="fake-bytes-named-xlsx"),
        pytest.param("Báo cáo.pdf", PDF, id="pdf-not-allowed-by-default"),
        pytest.param("Báo cáo.docx", PDF, id="pdf-named-docx"),
        pytest.param("Báo cáo.txt", "Báo cáo tháng 10".encode(), id="plain-text"),
        pytest.param("Ảnh.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, id="photo-attached-as-a-file"),
        pytest.param("Trình chiếu.pptx", make_zip(("[Content_Types].xml", b"<Types/>"), ("ppt/presentation.xml", b"<p/>")),
                     id="powerpoint"),
    ],
)
def test_other_content_is_the_wrong_type(make_mail, make_case, policy, filename, data) -> None:
    case = make_case(with_files(make_mail(), (filename, data)))
    assert RULE.check(case, policy) == Reason("attachment-type", Action.REJECT, {"filename": filename, "allowed": ALLOWED})


def test_pdf_when_the_office_allows_it(make_mail, make_case, policy) -> None:
    with_pdf = dataclasses.replace(policy, allowed_attachments=policy.allowed_attachments | {"pdf"})
    assert RULE.check(make_case(with_files(make_mail(), ("Báo cáo.pdf", PDF))), with_pdf) is None
    # ... but never an executable named .pdf
    reason = RULE.check(make_case(with_files(make_mail(), ("Báo cáo.pdf", EXE))), with_pdf)
    assert reason is not None and reason.code == "attachment-disguised"


def test_the_rejection_lists_what_this_office_allows(make_mail, make_case, policy) -> None:
    only_excel = dataclasses.replace(policy, allowed_attachments=frozenset({"excel"}))
    case = make_case(with_files(make_mail(), ("Báo cáo.docx", docx())))
    assert RULE.check(case, only_excel) == Reason(
        "attachment-type", Action.REJECT, {"filename": "Báo cáo.docx", "allowed": "Excel"}
    )


# --- attachment-missing --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "files",
    [
        pytest.param((), id="nothing"),
        pytest.param((("logo.png", PNG, "image/png"),), id="only-a-picture-in-the-body"),
        pytest.param((("Báo cáo.xlsx", b""),), id="only-an-empty-part"),
    ],
)
def test_missing_when_required(make_mail, make_case, policy, files) -> None:
    required = dataclasses.replace(policy, require_attachment=True)
    assert RULE.check(make_case(with_files(make_mail(), *files)), required) == Reason("attachment-missing", Action.REJECT)


def test_present_when_required(make_mail, make_case, policy) -> None:
    required = dataclasses.replace(policy, require_attachment=True)
    assert RULE.check(make_case(with_files(make_mail(), ("Báo cáo.xlsx", xlsx()))), required) is None


# --- through the parser and the whole chain ------------------------------------------------------
def test_real_mime_report_is_accepted(registry, policy) -> None:
    mail = mime_mail(
        ("Báo cáo tháng 10.xlsx", xlsx(), XLSX_TYPE, "attachment"),
        ("logo.png", PNG, "image/png", "inline"),
    )
    assert [a.filename for a in mail.attachments] == ["Báo cáo tháng 10.xlsx", "logo.png"]
    verdict, _ = judge(mail, registry, policy)
    assert (verdict.action, verdict.reasons) == (Action.ACCEPT, ())


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("Báo cáo tháng 10.xlsx", EXE, "attachment-disguised"),
        ("Báo cáo.zip", make_zip(("Báo cáo.exe", EXE)), "attachment-disguised"),
        ("Báo cáo tháng 10.xlsx", b"x" * 12_600, "attachment-type"),
        (NFD("Báo cáo tháng 10.docx"), EXE, "attachment-disguised"),
    ],
)
def test_real_mime_report_with_a_bad_file_is_rejected(registry, policy, filename, data, code) -> None:
    verdict, _ = judge(mime_mail((filename, data, XLSX_TYPE, "attachment")), registry, policy)
    assert verdict.action is Action.REJECT
    assert [r.code for r in verdict.reasons] == [code]
    assert verdict.reasons[0].details["filename"] == unicodedata.normalize("NFC", filename)  # shown to the school as NFC
