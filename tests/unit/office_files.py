"""Real attachment bytes built in memory for rule and reply tests: the attachments rule judges content,
so a test mail that wants to be accepted must carry a real Word or Excel file, not bytes named ".xlsx"."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook


def make_zip(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(text: str = "Báo cáo tháng 10") -> bytes:
    """A minimal but valid WordprocessingML package (content types, relationships, one paragraph)."""
    return make_zip(
        (
            "[Content_Types].xml",
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            b"</Types>",
        ),
        (
            "_rels/.rels",
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            b"</Relationships>",
        ),
        (
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>".encode(),
        ),
    )


def xlsx(cell: str = "Sĩ số") -> bytes:
    """A real workbook saved by openpyxl."""
    workbook = Workbook()
    workbook.active["A1"] = cell
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def padded(data: bytes, size: int) -> bytes:
    """The same zip (docx/xlsx/zip), grown to exactly ``size`` bytes with an archive comment, so tests can
    check the size a reply shows without faking the content."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.comment = b" " * (size - len(data))
    out = buffer.getvalue()
    assert len(out) == size, (len(out), size)
    zipfile.ZipFile(io.BytesIO(out)).testzip()  # still a readable zip
    return out


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
SHELL_SCRIPT = b"#!/bin/sh\nrm -rf ~\n"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
RAR = b"Rar!\x1a\x07\x00" + b"\x00" * 32
SEVEN_Z = b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 24
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
XLS_HTML = b"<html><body><table><tr><td>S\xc4\xa9 s\xe1\xbb\x91</td></tr></table></body></html>"
