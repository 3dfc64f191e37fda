"""mailbot.core.attachments: an attachment's real type from its bytes, and a zip listed without extraction."""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
import zlib

import pytest
from openpyxl import Workbook

from mailbot.core import attachments
from mailbot.core.attachments import ArchiveListing, FileKind, list_archive, sniff
from tests.unit.office_files import docx

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731 - a short name keeps the tables readable


# --- real files, built in memory -----------------------------------------------------------------


def make_zip(*members: tuple[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Sĩ số"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pptx_like() -> bytes:
    return make_zip(("[Content_Types].xml", b"<Types/>"), ("ppt/presentation.xml", b"<p/>"))


def odf(mimetype: bytes, *, stored: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", b"<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", b"<manifest:manifest/>")
    return buffer.getvalue()


def cfb(top: list[str], nested: dict[str, list[str]] | None = None) -> bytes:
    """A real (minimal) OLE2 compound file: header, one FAT sector, directory sectors, empty streams.

    ``top`` are the root's children; a name in ``nested`` is a storage holding those streams.
    Siblings are chained through their right pointers, which every reader accepts.
    """
    nested = nested or {}
    entries: list[dict[str, object]] = [{"name": "Root Entry", "type": 5, "right": 0xFFFFFFFF, "child": 0xFFFFFFFF}]

    def add_level(names: list[str]) -> int:
        first = len(entries)
        for name in names:
            entries.append({"name": name, "type": 1 if name in nested else 2, "right": 0xFFFFFFFF, "child": 0xFFFFFFFF})
        for position in range(len(names) - 1):
            entries[first + position]["right"] = first + position + 1
        for position, name in enumerate(names):
            if name in nested:
                entries[first + position]["child"] = add_level(nested[name])
        return first if names else 0xFFFFFFFF

    entries[0]["child"] = add_level(top)
    while len(entries) % 4:
        entries.append({"name": "", "type": 0, "right": 0xFFFFFFFF, "child": 0xFFFFFFFF})

    directory = b""
    for entry in entries:
        name = str(entry["name"])
        encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            encoded,
            len(encoded),
            int(entry["type"]),  # type: ignore[call-overload]
            1,  # black
            0xFFFFFFFF,  # left
            int(entry["right"]),  # type: ignore[call-overload]
            int(entry["child"]),  # type: ignore[call-overload]
            b"\0" * 16,
            0,
            0,
            0,
            0xFFFFFFFE,  # start sector: none (empty stream)
            0,
        )
    dir_sectors = len(directory) // 512
    fat = [0xFFFFFFFD] + [n + 1 if n < dir_sectors else 0xFFFFFFFE for n in range(1, dir_sectors + 1)]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header += struct.pack("<109I", 0, *([0xFFFFFFFF] * 108))
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory


def fake_ole2(*names: str) -> bytes:
    """Only the magic and the UTF-16LE names somewhere after it: no structure to walk."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + b"".join(n.encode("utf-16-le") + b"\0\0" for n in names)


def zip_with_raw_names(*raw_names: bytes, utf8_flag: bool = False) -> bytes:
    """A zip whose name bytes are exactly ``raw_names`` (zipfile itself would write UTF-8 + flag)."""
    placeholders = [(b"%c" % (ord("A") + i)) * len(raw) for i, raw in enumerate(raw_names)]
    data = make_zip(*((p.decode(), b"x") for p in placeholders), compression=zipfile.ZIP_STORED)
    for placeholder, raw in zip(placeholders, raw_names):
        assert data.count(placeholder) == 2  # local header and central directory
        data = data.replace(placeholder, raw)
    if utf8_flag:  # set bit 11 in every local and central header
        data = bytearray(data)
        for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = 0
            while (start := data.find(signature, start)) >= 0:
                struct.pack_into("<H", data, start + flag_offset, struct.unpack_from("<H", data, start + flag_offset)[0] | 0x800)
                start += 4
        data = bytes(data)
    return data


def zip_with_unicode_path_extra(shown: bytes, real: str) -> bytes:
    """A zip whose name bytes are ``shown`` with an Info-ZIP Unicode Path field (0x7075) giving ``real``."""
    body = b"\x01" + struct.pack("<I", zlib.crc32(shown)) + real.encode()
    info = zipfile.ZipInfo("X" * len(shown))
    info.extra = struct.pack("<HH", 0x7075, len(body)) + body
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, b"x")
    return buffer.getvalue().replace(b"X" * len(shown), shown)


def encrypted_flag_zip() -> bytes:
    """A zip whose central directory says "encrypted" (zipfile resets flag_bits while writing)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bao-cao.docx", b"not really encrypted")
        archive.getinfo("bao-cao.docx").flag_bits |= 0x1
    return buffer.getvalue()


def declared_bomb() -> bytes:
    """A 10 GB member declared in the central directory of an archive of a few hundred bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * 1024)
        archive.getinfo("zeros.bin").file_size = 10 * 1024**3  # written as ZIP64 at close
    return buffer.getvalue()


DOCX = docx()
XLSX = xlsx()
ZIP_OF_DOCX = make_zip(("Báo cáo tháng 9.docx", DOCX), ("Sĩ số.xlsx", XLSX))
PE = b"MZ\x90\x00\x03" + b"\0" * 200 + b"This program cannot be run in DOS mode."
ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 100
RAR4 = b"Rar!\x1a\x07\x00" + b"\0" * 50
RAR5 = b"Rar!\x1a\x07\x01\x00" + b"\0" * 50
SEVEN_Z = b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\0" * 50
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EMPTY_ZIP = make_zip()


def kind(family: str, detail: str, matches: bool) -> FileKind:
    return FileKind(family, detail, matches)


# --- sniff ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        # Word and Excel, as sent and as renamed by clerks
        pytest.param(DOCX, "Báo cáo.docx", kind("word", "docx", True), id="docx"),
        pytest.param(DOCX, "Báo cáo.doc", kind("word", "docx", False), id="docx-renamed-doc"),
        pytest.param(DOCX, "bao-cao.docm", kind("word", "docx", True), id="docx-as-docm"),
        pytest.param(DOCX, "bao-cao.xlsx", kind("word", "docx", False), id="docx-renamed-xlsx"),
        pytest.param(XLSX, "Sĩ số.xlsx", kind("excel", "xlsx", True), id="xlsx-openpyxl"),
        pytest.param(XLSX, "Sĩ số.xls", kind("excel", "xlsx", False), id="xlsx-renamed-xls"),
        pytest.param(cfb(["WordDocument", "1Table", "\x05SummaryInformation"]), "Tờ trình.doc", kind("word", "doc", True), id="ole2-doc"),
        pytest.param(cfb(["WordDocument", "1Table"]), "Tờ trình.dot", kind("word", "doc", True), id="ole2-doc-template"),
        pytest.param(cfb(["WordDocument", "1Table"]), "Tờ trình.docx", kind("word", "doc", False), id="ole2-doc-renamed-docx"),
        pytest.param(cfb(["Workbook", "\x05SummaryInformation"]), "Thống kê.xls", kind("excel", "xls", True), id="ole2-xls"),
        pytest.param(cfb(["Book"]), "excel95.xls", kind("excel", "xls", True), id="ole2-excel95-book"),
        pytest.param(cfb(["Workbook"]), "Thống kê.doc", kind("excel", "xls", False), id="ole2-xls-renamed-doc"),
        pytest.param(
            cfb(["WordDocument", "1Table", "ObjectPool"], {"ObjectPool": ["_1234"], "_1234": ["Workbook", "\x01Ole"]}),
            "có biểu đồ.doc",
            kind("word", "doc", True),
            id="ole2-doc-with-embedded-workbook",
        ),
        pytest.param(
            cfb(["Workbook", "MBD0001"], {"MBD0001": ["WordDocument", "1Table"]}),
            "có văn bản nhúng.xls",
            kind("excel", "xls", True),
            id="ole2-xls-with-embedded-document",
        ),
        pytest.param(
            cfb(["PowerPoint Document", "ObjectPool"], {"ObjectPool": ["WordDocument"]}),
            "slides.ppt",
            kind("other", "ole2", True),
            id="ole2-ppt-with-embedded-document-is-not-word",
        ),
        pytest.param(cfb(["PowerPoint Document", "Current User"]), "slides.ppt", kind("other", "ole2", True), id="ole2-powerpoint"),
        pytest.param(cfb(["PowerPoint Document"]), "slides.doc", kind("other", "ole2", False), id="ole2-unknown-as-doc"),
        pytest.param(cfb(["EncryptionInfo", "EncryptedPackage"]), "có mật khẩu.xlsx", kind("other", "encrypted-ooxml", True), id="password-protected-xlsx"),
        pytest.param(fake_ole2("WordDocument"), "fake.doc", kind("word", "doc", True), id="fake-ole2-scan-word"),
        pytest.param(fake_ole2("Workbook"), "fake.xls", kind("excel", "xls", True), id="fake-ole2-scan-excel"),
        pytest.param(fake_ole2("Nothing"), "fake.doc", kind("other", "ole2", False), id="fake-ole2-scan-unknown"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "short.doc", kind("other", "ole2", False), id="ole2-magic-only"),
        # other zip-based formats
        pytest.param(odf(b"application/vnd.oasis.opendocument.text"), "bao-cao.odt", kind("word", "odt", True), id="odt"),
        pytest.param(odf(b"application/vnd.oasis.opendocument.spreadsheet"), "bang.ods", kind("excel", "ods", True), id="ods"),
        pytest.param(odf(b"application/vnd.oasis.opendocument.spreadsheet"), "bang.xlsx", kind("excel", "ods", False), id="ods-renamed-xlsx"),
        pytest.param(odf(b"application/vnd.oasis.opendocument.text", stored=False), "bao-cao.odt", kind("other", "odf", False), id="odf-mimetype-compressed"),
        pytest.param(odf(b"application/vnd.oasis.opendocument.presentation"), "trinh-chieu.odp", kind("other", "odf", True), id="odp"),
        pytest.param(odf(b"application/epub+zip"), "sach.epub", kind("archive", "zip", False), id="epub-is-just-a-zip"),
        pytest.param(pptx_like(), "slides.pptx", kind("other", "pptx", True), id="pptx"),
        # archives
        pytest.param(ZIP_OF_DOCX, "Báo cáo.zip", kind("archive", "zip", True), id="zip-of-docx"),
        pytest.param(ZIP_OF_DOCX, "Báo cáo.docx", kind("archive", "zip", False), id="zip-renamed-docx"),
        pytest.param(EMPTY_ZIP, "rỗng.zip", kind("archive", "zip", True), id="empty-zip"),
        pytest.param(DOCX[: len(DOCX) // 2], "cut.docx", kind("archive", "zip", False), id="truncated-docx"),
        pytest.param(RAR4, "Báo cáo.rar", kind("archive", "rar", True), id="rar4"),
        pytest.param(RAR5, "Báo cáo.RAR", kind("archive", "rar", True), id="rar5-upper-case"),
        pytest.param(RAR4, "Báo cáo.zip", kind("archive", "rar", False), id="rar-renamed-zip"),
        pytest.param(SEVEN_Z, "Báo cáo.7z", kind("archive", "7z", True), id="7z"),
        pytest.param(PDF, "Công văn.pdf", kind("pdf", "pdf", True), id="pdf"),
        pytest.param(PDF, "Công văn.doc", kind("pdf", "pdf", False), id="pdf-renamed-doc"),
        # disguised executables and other things
        pytest.param(PE, "Báo cáo.doc", kind("executable", "pe-exe", False), id="mz-renamed-doc"),
        pytest.param(PE, "setup.EXE", kind("executable", "pe-exe", True), id="mz-exe"),
        pytest.param(PE, "Báo cáo\u202excod.exe", kind("executable", "pe-exe", True), id="rlo-cannot-hide-exe"),
        pytest.param(ELF, "bao-cao.xlsx", kind("executable", "elf", False), id="elf-renamed-xlsx"),
        pytest.param(b"#!/bin/sh\nrm -rf ~\n", "bao-cao.docx", kind("executable", "script", False), id="shebang-script"),
        # school-management systems export HTML tables named .xls; Excel opens them: an Excel report
        pytest.param(b"  \r\n<!DOCTYPE html><html><body>", "bao-cao.xls", kind("excel", "xls-html", True), id="html-as-xls"),
        pytest.param(b"<html><body>", "bao-cao.html", kind("other", "html", True), id="html-as-html"),
        pytest.param(
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "bao-cao.xls", kind("excel", "xls-xml", True), id="spreadsheetml-as-xls",
        ),
        pytest.param(b"\xef\xbb\xbf<HTML><body>", "trang.htm", kind("other", "html", True), id="html-bom-upper"),
        pytest.param(b"<script>alert(1)</script>", "a.html", kind("other", "html", True), id="script-tag"),
        # Word saves RTF under a .doc name and opens it as a document
        pytest.param(b"{\\rtf1\\ansi Bao cao}", "bao-cao.doc", kind("word", "rtf", False), id="rtf-as-doc"),
        pytest.param(b"{\\rtf1\\ansi Bao cao}", "bao-cao.txt", kind("other", "rtf", False), id="rtf-as-txt"),
        pytest.param(b"Xin chao", "ghi-chu.txt", kind("other", "unknown", False), id="plain-text"),
        pytest.param(b"", "Báo cáo.docx", kind("other", "unknown", False), id="empty-data"),
        # file names: NFD, case, paths, trailing dots, no extension
        pytest.param(DOCX, NFD("BÁO CÁO TỔNG HỢP.DOCX"), kind("word", "docx", True), id="nfd-upper-name"),
        pytest.param(XLSX, "Sĩ Số.XlSx", kind("excel", "xlsx", True), id="mixed-case-extension"),
        pytest.param(DOCX, "C:\\fakepath\\bao.cao.docx", kind("word", "docx", True), id="path-and-dots"),
        pytest.param(DOCX, "bao-cao.docx. ", kind("word", "docx", True), id="trailing-dot-space"),
        pytest.param(DOCX, "docx", kind("word", "docx", False), id="no-extension"),
        pytest.param(DOCX, "", kind("word", "docx", False), id="no-name"),
    ],
)
def test_sniff(data: bytes, filename: str, expected: FileKind) -> None:
    assert sniff(data, filename) == expected


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"PK\x03\x04", id="zip-magic-only"),
        pytest.param(b"PK\x03\x04" + bytes(range(256)) * 4, id="zip-magic-then-garbage"),
        pytest.param(b"PK\x05\x06" + b"\xff" * 18, id="eocd-with-absurd-offsets"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600, id="ole2-all-ones"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 22 + b"\x09\0" + b"\0" * 5000, id="ole2-zero-fat"),
    ],
)
def test_hostile_bytes_never_raise(data: bytes) -> None:
    assert sniff(data, "x.docx").family in {"archive", "other"}
    listing = list_archive(data)
    assert listing is None or listing.error is not None or listing.names == ()


def test_ole2_directory_loop_is_not_followed_forever() -> None:
    looped = bytearray(cfb(["Workbook"]))
    struct.pack_into("<I", looped, 512 + 4 * 1, 1)  # directory sector 1 points to itself
    assert sniff(bytes(looped), "x.xls") == kind("excel", "xls", True)  # the scan still finds the name


# --- list_archive --------------------------------------------------------------------------------

CP1258_NAME = "Tô\u0309ng hơ\u0323p ba\u0301o ca\u0301o.docx"  # cp1258 writes tones as combining marks
VIETNAMESE = "Tổng hợp báo cáo.docx"


@pytest.mark.parametrize(
    ("data", "names"),
    [
        pytest.param(ZIP_OF_DOCX, ("Báo cáo tháng 9.docx", "Sĩ số.xlsx"), id="utf8-flag-by-zipfile"),
        pytest.param(zip_with_raw_names(VIETNAMESE.encode("utf-8")), (VIETNAMESE,), id="utf8-without-flag"),
        pytest.param(zip_with_raw_names(NFD(VIETNAMESE).encode("utf-8")), (VIETNAMESE,), id="nfd-utf8-without-flag-macos"),
        pytest.param(zip_with_raw_names(NFD(VIETNAMESE).encode("utf-8"), utf8_flag=True), (VIETNAMESE,), id="nfd-utf8-with-flag"),
        pytest.param(zip_with_raw_names(CP1258_NAME.encode("cp1258")), (VIETNAMESE,), id="cp1258-windows-compressed-folder"),
        pytest.param(zip_with_raw_names("Si\u0303 sô\u0301 lơ\u0301p 6A.xls".encode("cp1258")), ("Sĩ số lớp 6A.xls",), id="cp1258-more-tones"),
        pytest.param(zip_with_raw_names(b"plain/report.xlsx"), ("plain/report.xlsx",), id="ascii"),
        pytest.param(zip_with_raw_names(b"caf\x82.txt\x9a\x9d"), ("caf\u00e9.txt\u00dc\u00a5",), id="neither-utf8-nor-cp1258-stays-cp437"),
        pytest.param(zip_with_unicode_path_extra(b"bao cao?.docx", VIETNAMESE), (VIETNAMESE,), id="info-zip-unicode-path-field"),
    ],
)
def test_list_archive_names(data: bytes, names: tuple[str, ...]) -> None:
    listing = list_archive(data)
    assert listing is not None and listing.error is None
    assert listing.names == names
    assert all(unicodedata.is_normalized("NFC", n) for n in listing.names)


def test_unicode_path_field_for_another_name_is_ignored() -> None:
    data = zip_with_unicode_path_extra(b"bao-cao.docx", "virus.exe")
    stale = data.replace(struct.pack("<I", zlib.crc32(b"bao-cao.docx")), b"\0\0\0\0")
    assert list_archive(stale).names == ("bao-cao.docx",)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Báo cáo.docx", kind("word", "docx", True), id="docx"),
        pytest.param("Báo cáo.DOC", kind("word", "doc", True), id="doc-upper"),
        pytest.param("Sĩ số.xlsm", kind("excel", "xlsx", True), id="xlsm"),
        pytest.param("cũ.xls", kind("excel", "xls", True), id="xls"),
        pytest.param("lồng.zip", kind("archive", "zip", True), id="nested-zip"),
        pytest.param("lồng.rar", kind("archive", "rar", True), id="nested-rar"),
        pytest.param("data.tar.gz", kind("archive", "gz", True), id="tar-gz"),
        pytest.param("Báo cáo.pdf", kind("pdf", "pdf", True), id="pdf"),
        pytest.param("Báo cáo.docx.exe", kind("executable", "pe-exe", True), id="double-extension-exe"),
        pytest.param("run.scr", kind("executable", "pe-exe", True), id="screensaver"),
        pytest.param("mo-file.js", kind("executable", "script", True), id="js"),
        pytest.param("mo-file.VBS", kind("executable", "script", True), id="vbs-upper"),
        pytest.param("chay.bat", kind("executable", "script", True), id="bat"),
        pytest.param("Báo cáo.lnk", kind("executable", "lnk", True), id="shortcut"),
        pytest.param("cai-dat.msi", kind("executable", "msi", True), id="msi"),
        pytest.param("Báo cáo\u202excod.scr", kind("executable", "pe-exe", True), id="rlo-scr"),
        pytest.param("thư mục/", kind("other", "directory", True), id="directory"),
        pytest.param("__MACOSX/._Báo cáo.docx", kind("other", "macos-metadata", True), id="macos-resource-fork"),
        pytest.param("ghi chú.txt", kind("other", "unknown", False), id="txt"),
        pytest.param("README", kind("other", "unknown", False), id="no-extension"),
    ],
)
def test_list_archive_member_kinds_from_names(name: str, expected: FileKind) -> None:
    listing = list_archive(make_zip((name, b"")))
    assert listing is not None and listing.members == (expected,)


def test_zip_of_docx_is_listed_not_opened() -> None:
    listing = list_archive(ZIP_OF_DOCX)
    assert listing == ArchiveListing(
        names=("Báo cáo tháng 9.docx", "Sĩ số.xlsx"),
        total_uncompressed=len(DOCX) + len(XLSX),
        ratio=pytest.approx((len(DOCX) + len(XLSX)) / len(ZIP_OF_DOCX)),  # type: ignore[arg-type]
        encrypted=False,
        members=(kind("word", "docx", True), kind("excel", "xlsx", True)),
        error=None,
    )


def test_docx_is_a_zip_and_can_be_listed() -> None:
    listing = list_archive(DOCX)
    assert listing is not None and "word/document.xml" in listing.names and listing.error is None


def test_encrypted_flag() -> None:
    listing = list_archive(encrypted_flag_zip())
    assert listing is not None and listing.encrypted and listing.names == ("bao-cao.docx",)
    assert sniff(encrypted_flag_zip(), "mat-khau.zip") == kind("archive", "zip", True)
    assert list_archive(ZIP_OF_DOCX).encrypted is False  # type: ignore[union-attr]


def test_declared_ten_gigabyte_member_is_listed_with_its_ratio() -> None:
    data = declared_bomb()
    listing = list_archive(data)
    assert listing is not None and listing.error is None
    assert listing.total_uncompressed == 10 * 1024**3
    assert listing.ratio == 10 * 1024**3 / len(data) and listing.ratio > 1_000_000
    assert sniff(data, "bom.zip") == kind("archive", "zip", True)


def test_fifty_megabytes_of_zeros_is_listed_without_decompressing() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("zeros.bin", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(50):
                member.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 500_000
    listing = list_archive(data)
    assert listing is not None and listing.error is None
    assert listing.total_uncompressed == 50 * 1024 * 1024 and listing.ratio > 100
    assert listing.members == (kind("other", "unknown", False),)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(ZIP_OF_DOCX[:-30], id="truncated-end"),
        pytest.param(ZIP_OF_DOCX[: len(ZIP_OF_DOCX) // 2], id="truncated-half"),
        pytest.param(b"PK\x03\x04" + b"\0" * 26, id="only-a-local-header"),
        pytest.param(zip_with_raw_names(b"b\xe1o c\xe1o.docx", utf8_flag=True), id="utf8-flag-but-cp1258-bytes"),
    ],
)
def test_unreadable_zip_gives_an_error_not_an_exception(data: bytes) -> None:
    assert list_archive(data) == ArchiveListing((), 0, 0.0, False, (), "not readable")
    assert sniff(data, "x.zip") == kind("archive", "zip", True)


def test_too_many_members(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments, "MAX_MEMBERS", 3)
    data = make_zip(*((f"{n}.docx", b"") for n in range(4)))
    assert list_archive(data) == ArchiveListing((), 0, 0.0, False, (), "too many members")
    assert sniff(data, "nhieu.zip") == kind("archive", "zip", True)
    assert list_archive(make_zip(*((f"{n}.docx", b"") for n in range(3)))).error is None  # type: ignore[union-attr]


def test_empty_zip_listing() -> None:
    assert list_archive(EMPTY_ZIP) == ArchiveListing((), 0, 0.0, False, (), None)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(RAR4, id="rar"),
        pytest.param(SEVEN_Z, id="7z"),
        pytest.param(PDF, id="pdf"),
        pytest.param(PE, id="exe"),
        pytest.param(cfb(["WordDocument"]), id="doc"),
        pytest.param(b"", id="empty"),
    ],
)
def test_list_archive_only_lists_zips(data: bytes) -> None:
    assert list_archive(data) is None
