#!/usr/bin/env python3
"""Write the demo mailbox of Phòng GD&ĐT Bình Đại (pgdbinhdai@bentre.edu.vn).

Run with the project's virtualenv and no arguments:

    .venv/bin/python scripts/make_sample_mailbox.py

It writes 16 RFC 5322 messages, byte for byte as the mail server stores them
(CRLF line endings, trace headers on top), to

    mailbot/demo/mailbox/NN-short-name.eml      (NN = arrival order)
    mailbot/demo/mailbox/manifest.json          (what the daemon should decide)

The output is deterministic: dates, boundaries, Message-IDs, queue ids and the
attachments (including the openpyxl workbook, whose timestamps are pinned) are
fixed, so rerunning the script gives byte-identical files.

Sender addresses of units come from config/units.example.csv (looked up by
unit_id, so the samples fail loudly if the registry changes).  Every address is
synthetic except the office's own mailbox.  IP addresses are RFC 5737
documentation addresses.

Manifest fields: file, expect_status (accepted / rejected / ignored /
quarantined), expect_reasons (list of reason codes), unit_id (the registry unit
the *sender address* belongs to, or null), note.
"""
from __future__ import annotations

import base64
import csv
import datetime as dt
import email
import email.policy
import hashlib
import io
import json
import quopri
import re
import sys
import unicodedata
import urllib.parse
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side

ROOT = Path(__file__).resolve().parent.parent
UNITS_CSV = ROOT / "config" / "units.example.csv"
OUT_DIR = ROOT / "mailbot" / "demo" / "mailbox"

OFFICE = "pgdbinhdai@bentre.edu.vn"
OFFICE_NAME = "Phòng GD&ĐT Bình Đại"
MX = "mail.bentre.edu.vn"
ICT = dt.timezone(dt.timedelta(hours=7))
CRLF = b"\r\n"
MAX_BYTES = 40 * 1024

CT_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CT_ZIP = "application/zip"


# ---------------------------------------------------------------------------
# registry
# ---------------------------------------------------------------------------
def load_units() -> dict[str, dict[str, str]]:
    with UNITS_CSV.open(encoding="utf-8", newline="") as f:
        return {row["unit_id"]: row for row in csv.DictReader(f)}


UNITS = load_units()


def unit_email(unit_id: str) -> str:
    return UNITS[unit_id]["email"]


# ---------------------------------------------------------------------------
# deterministic "random-looking" tokens
# ---------------------------------------------------------------------------
def token(key: str, n: int, alphabet: str = "0123456789abcdef") -> str:
    out, counter = [], 0
    while len(out) < n:
        digest = hashlib.sha256(f"{key}#{counter}".encode()).digest()
        out.extend(alphabet[b % len(alphabet)] for b in digest)
        counter += 1
    return "".join(out[:n])


def junk_bytes(key: str, n: int) -> bytes:
    """Deterministic binary garbage without CR/LF (so the file stays CRLF-clean)."""
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{key}#{counter}".encode()).digest()
        counter += 1
    return bytes(b for b in out if b not in (0x0A, 0x0D))[:n]


def uuid_like(key: str) -> str:
    h = token(key, 32, "0123456789ABCDEF")
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89AB'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


def when(day: int, hh: int, mm: int, ss: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hh, mm, ss, tzinfo=ICT)


def rfc_date(d: dt.datetime, style: str = "std") -> str:
    """Date as the various clients write it (all +0700)."""
    wd = d.strftime("%a")
    mon = d.strftime("%b")
    if style == "postfix":            # Postfix pads the day with a space
        return f"{wd}, {d.day:2d} {mon} {d.year} {d:%H:%M:%S} +0700 (ICT)"
    if style == "zimbra":
        return f"{wd}, {d.day} {mon} {d.year} {d:%H:%M:%S} +0700 (ICT)"
    return f"{wd}, {d.day} {mon} {d.year} {d:%H:%M:%S} +0700"


# ---------------------------------------------------------------------------
# RFC 2047 / RFC 2231 encoders
# ---------------------------------------------------------------------------
def _q(b: bytes) -> str:
    out = []
    for byte in b:
        c = chr(byte)
        if c == " ":
            out.append("_")
        elif c.isascii() and (c.isalnum() or c in "!*+-/"):
            out.append(c)
        else:
            out.append("=%02X" % byte)
    return "".join(out)


def encoded_words(text: str, enc: str = "B", charset: str = "utf-8", maxlen: int = 75) -> list[str]:
    """RFC 2047 encoded words of at most maxlen characters; never splits a character."""
    prefix = f"=?{charset}?{enc}?"
    room = maxlen - len(prefix) - 2

    def e(s: str) -> str:
        b = s.encode("utf-8")
        return base64.b64encode(b).decode() if enc == "B" else _q(b)

    words, cur = [], ""
    for ch in text:
        if cur and len(e(cur + ch)) > room:
            words.append(prefix + e(cur) + "?=")
            cur = ch
        else:
            cur += ch
    if cur:
        words.append(prefix + e(cur) + "?=")
    return words


def ew_header(name: str, text: str, enc: str = "B", charset: str = "utf-8") -> bytes:
    """Header whose whole value is encoded words, one per folded line."""
    return (f"{name}: " + "\r\n ".join(encoded_words(text, enc, charset))).encode("ascii")


def addr_header(name: str, display: str | None, addr: str, enc: str | None = "B",
                charset: str = "utf-8") -> bytes:
    if not display:
        return f"{name}: {addr}".encode("ascii")
    if enc == "raw":                      # 8-bit header, as some clients send it
        return f"{name}: {display} <{addr}>".encode("utf-8")
    if enc is None or display.isascii():
        if re.search(r'[()<>@,;:\\".\[\]]', display):
            display = '"' + display.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name}: {display} <{addr}>".encode("ascii")
    words = encoded_words(display, enc, charset)
    return (f"{name}: " + "\r\n ".join(words) + f" <{addr}>").encode("ascii")


def rfc2231_param(name: str, value: str, charset: str = "utf-8", split: int = 0) -> str:
    """filename*=utf-8''... (optionally split into filename*0*, filename*1* ...)."""
    quoted = urllib.parse.quote(value.encode("utf-8"), safe="")
    if not split:
        return f"{name}*={charset}''{quoted}"
    toks = re.findall(r"%[0-9A-F]{2}|.", quoted)
    chunks, cur = [], ""
    for t in toks:                          # never split a %XX triplet
        if cur and len(cur) + len(t) > split:
            chunks.append(cur)
            cur = ""
        cur += t
    chunks.append(cur)
    return ";\r\n\t".join(f"{name}*{i}*=" + (f"{charset}''" if i == 0 else "") + c
                          for i, c in enumerate(chunks))


def rfc2047_param(name: str, value: str, enc: str = "B", charset: str = "utf-8") -> str:
    """name="=?utf-8?B?...?=" (not standard, but what Outlook/Gmail send); folded."""
    return f'{name}="' + "\r\n ".join(encoded_words(value, enc, charset)) + '"'


# ---------------------------------------------------------------------------
# body encoders and MIME assembly
# ---------------------------------------------------------------------------
def crlf_text(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def qp(text: str) -> bytes:
    raw = text.replace("\r\n", "\n").encode("utf-8")
    return quopri.encodestring(raw).replace(b"\n", CRLF)


def b64(data: bytes, width: int = 76) -> bytes:
    s = base64.b64encode(data)
    return CRLF.join(s[i:i + width] for i in range(0, len(s), width)) + CRLF


def part(headers: list[str | bytes], body: bytes) -> bytes:
    hb = [h.encode("ascii") if isinstance(h, str) else h for h in headers]
    return CRLF.join(hb) + CRLF + CRLF + body


def multipart(boundary: str, parts: list[bytes], preamble: bytes = b"") -> bytes:
    out = bytearray(preamble)
    if preamble:
        out += CRLF
    for p in parts:
        out += b"--" + boundary.encode() + CRLF + p
        if not p.endswith(CRLF):
            out += CRLF
    out += b"--" + boundary.encode() + b"--" + CRLF
    return bytes(out)


def message(headers: list[str | bytes], body: bytes) -> bytes:
    raw = part(headers, body)
    return raw if raw.endswith(CRLF) else raw + CRLF


def html_of(text: str, style: str = "outlook") -> str:
    paras = "".join(
        f"<p class=MsoNormal>{xml_escape(line) or '&nbsp;'}<o:p></o:p></p>\n" if style == "outlook"
        else f"<div>{xml_escape(line) or '<br>'}</div>"
        for line in text.split("\n"))
    if style == "outlook":
        return ('<html xmlns:o="urn:schemas-microsoft-com:office:office" '
                'xmlns="http://www.w3.org/TR/REC-html40">\n<head>\n'
                '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
                '<meta name=Generator content="Microsoft Word 15 (filtered medium)">\n'
                '</head>\n<body lang=VI link="#0563C1" vlink="#954F72">\n'
                f'<div class=WordSection1>\n{paras}</div>\n</body>\n</html>\n')
    return f'<div dir="ltr">{paras}</div>\n'


def text_part(text: str, cte: str = "quoted-printable", charset: str = "utf-8",
              extra: list[str] | None = None) -> bytes:
    if cte == "quoted-printable":
        body = qp(text)
    elif cte == "base64":
        body = b64(crlf_text(text))
    else:                                  # 8bit
        body = crlf_text(text)
    return part([f'Content-Type: text/plain; charset="{charset}"',
                 f"Content-Transfer-Encoding: {cte}"] + (extra or []), body)


def alternative(boundary: str, text: str, html_style: str, charset: str = "utf-8") -> bytes:
    html = html_of(text, html_style)
    return part([f'Content-Type: multipart/alternative;\r\n\tboundary="{boundary}"'],
                multipart(boundary, [
                    text_part(text, "quoted-printable", charset),
                    part([f'Content-Type: text/html; charset="{charset}"',
                          "Content-Transfer-Encoding: quoted-printable"], qp(html)),
                ]))


def attachment(data: bytes, ctype: str, filename: str, style: str) -> bytes:
    """One base64 attachment part, with the filename written as `style`:

    outlook   name="=?utf-8?B?..?=" and filename="=?utf-8?B?..?=" (RFC 2047 in quotes)
    gmail     same, =?UTF-8?B? and Gmail's header order, plus X-Attachment-Id
    rfc2231   filename*=utf-8''... (Thunderbird puts an RFC 2047 name= beside it)
    rfc2231c  filename*0*=utf-8''...; filename*1*=... (continuations)
    apple     Apple Mail: Q-encoded name=, filename*=utf-8''..., x-unix-mode
    ascii     plain filename="..."
    """
    data_b64 = b64(data)
    if style == "ascii":
        hdrs = [f'Content-Type: {ctype};\r\n\tname="{filename}"',
                f'Content-Disposition: attachment;\r\n\tfilename="{filename}"',
                "Content-Transfer-Encoding: base64"]
    elif style == "outlook":
        hdrs = [f"Content-Type: {ctype};\r\n\t{rfc2047_param('name', filename)}",
                "Content-Description: " + "\r\n ".join(encoded_words(filename)),
                f"Content-Disposition: attachment;\r\n\t{rfc2047_param('filename', filename)};"
                f"\r\n\tsize={len(data)}",
                "Content-Transfer-Encoding: base64"]
    elif style == "gmail":
        hdrs = [f"Content-Type: {ctype};\r\n\t{rfc2047_param('name', filename, charset='UTF-8')}",
                f"Content-Disposition: attachment;\r\n\t{rfc2047_param('filename', filename, charset='UTF-8')}",
                "Content-Transfer-Encoding: base64",
                f"Content-ID: <f_{token(filename, 9, 'abcdefghijklmnopqrstuvwxyz0123456789')}0>",
                f"X-Attachment-Id: f_{token(filename, 9, 'abcdefghijklmnopqrstuvwxyz0123456789')}0"]
    elif style in ("rfc2231", "rfc2231c"):
        split = 40 if style == "rfc2231c" else 0
        hdrs = [f"Content-Type: {ctype};\r\n\t{rfc2047_param('name', filename, charset='UTF-8')}",
                f"Content-Disposition: attachment;\r\n\t{rfc2231_param('filename', filename, 'UTF-8' if not split else 'utf-8', split)}",
                "Content-Transfer-Encoding: base64"]
    elif style == "apple":
        hdrs = ["Content-Disposition: attachment;\r\n\t" + rfc2231_param("filename", filename),
                f"Content-Type: {ctype};\r\n\tx-unix-mode=0644;\r\n\t"
                + rfc2047_param("name", filename, enc="Q"),
                "Content-Transfer-Encoding: base64"]
    else:
        raise ValueError(style)
    return part(hdrs, data_b64)


# ---------------------------------------------------------------------------
# attachments: real, small, deterministic files
# ---------------------------------------------------------------------------
ZIP_TIME = (2026, 11, 1, 8, 0, 0)


def _zip(members: list[tuple[str, bytes]], date_time=ZIP_TIME) -> bytes:
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w") as z:
        for name, data in members:
            zi = zipfile.ZipInfo(name, date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 0
            zi.external_attr = 0
            z.writestr(zi, data)
    return bio.getvalue()


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(paragraphs: list[tuple[str, str]]) -> bytes:
    """Minimal valid .docx. paragraphs: (style, text); style letters:
    c = centred, b = bold, i = italic, j = justified, u = upper heading size."""
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/'
          'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/>'
            '</Relationships>')
    body = []
    for style, text in paragraphs:
        ppr = ""
        if "c" in style:
            ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>'
        elif "j" in style:
            ppr = '<w:pPr><w:ind w:firstLine="567"/><w:jc w:val="both"/></w:pPr>'
        rpr = ('<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman"/>'
               + ("<w:b/>" if "b" in style else "") + ("<w:i/>" if "i" in style else "")
               + f'<w:sz w:val="{28 if "u" in style else 26}"/>')
        body.append(f'<w:p>{ppr}<w:r><w:rPr>{rpr}</w:rPr>'
                    f'<w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r></w:p>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
           f'<w:document xmlns:w="{W_NS}"><w:body>' + "".join(body)
           + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
           '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701" '
           'w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>'
           "</w:body></w:document>")
    return _zip([("[Content_Types].xml", ct.encode("utf-8")),
                 ("_rels/.rels", rels.encode("utf-8")),
                 ("word/document.xml", doc.encode("utf-8"))])


def nd30_header(parent: str, unit: str, number: str, place: str, day: int, month: int,
                kind: str, summary: str) -> list[tuple[str, str]]:
    """Top of an NĐ 30/2020 style document."""
    return [("cb", parent), ("cb", unit),
            ("cb", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), ("cb", "Độc lập - Tự do - Hạnh phúc"),
            ("c", f"Số: {number}"),
            ("ci", f"{place}, ngày {day:02d} tháng {month:02d} năm 2026"),
            ("cbu", kind), ("cb", summary)]


def make_xlsx(sheet: str, title: list[str], headers: list[str], rows: list[list],
              total_label: str | None = "Tổng cộng", creator: str = "Văn thư") -> bytes:
    """Small report table built with openpyxl, then re-zipped with pinned timestamps."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ncol = len(headers)
    for r, line in enumerate(title, start=1):
        ws.cell(row=r, column=1, value=line).font = Font(name="Times New Roman", bold=True, size=12)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        ws.cell(row=r, column=1).alignment = Alignment(horizontal="center")
    hr = len(title) + 2
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for c, h in enumerate(headers, start=1):
        cell = ws.cell(row=hr, column=c, value=h)
        cell.font = Font(name="Times New Roman", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for i, row in enumerate(rows, start=1):
        for c, v in enumerate([i] + row, start=1):
            cell = ws.cell(row=hr + i, column=c, value=v)
            cell.font = Font(name="Times New Roman")
            cell.border = border
    if total_label:
        tr = hr + len(rows) + 1
        ws.cell(row=tr, column=2, value=total_label).font = Font(name="Times New Roman", bold=True)
        for c in range(3, ncol + 1):
            if all(isinstance(r[c - 2], (int, float)) for r in rows):
                col = openpyxl.utils.get_column_letter(c)
                ws.cell(row=tr, column=c, value=f"=SUM({col}{hr + 1}:{col}{hr + len(rows)})")
        for c in range(1, ncol + 1):
            ws.cell(row=tr, column=c).border = border
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 22
    pinned = dt.datetime(2026, 11, 1, 1, 0, 0)
    wb.properties.creator = creator
    wb.properties.lastModifiedBy = creator
    wb.properties.created = pinned
    wb.properties.modified = pinned
    bio = io.BytesIO()
    wb.save(bio)
    # openpyxl stamps dcterms:modified with now() and the zip entries with the
    # local time: rewrite both so the bytes are reproducible.
    members = []
    with zipfile.ZipFile(io.BytesIO(bio.getvalue())) as z:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>2026-11-01T01:00:00Z", data)
            members.append((info.filename, data))
    return _zip(members)


# ---------------------------------------------------------------------------
# trace headers added by the receiving server (Zimbra: Postfix + LMTP)
# ---------------------------------------------------------------------------
def qid(key: str) -> str:
    return token("qid:" + key, 10, "0123456789ABCDEF")


def trace_internal(key: str, sender: str, d: dt.datetime, client_ip: str) -> list[bytes]:
    """Mail submitted by a bentre.edu.vn user (authenticated) to the same server."""
    d1, d2 = d + dt.timedelta(seconds=1), d + dt.timedelta(seconds=2)
    return [f"Return-Path: <{sender}>".encode(),
            (f"Received: from {MX} (LHLO {MX}) (192.0.2.20) by {MX} with LMTP;\r\n"
             f" {rfc_date(d2, 'zimbra')}").encode(),
            (f"Received: from [{client_ip}] (unknown [{client_ip}])\r\n"
             f"\tby {MX} (Postfix) with ESMTPSA id {qid(key)}\r\n"
             f"\tfor <{OFFICE}>; {rfc_date(d1, 'postfix')}").encode()]


def trace_external(key: str, sender: str, d: dt.datetime, helo: str, ip: str,
                   auth: str) -> list[bytes]:
    """Mail arriving from another domain over SMTP."""
    d1, d2 = d + dt.timedelta(seconds=2), d + dt.timedelta(seconds=3)
    return [f"Return-Path: <{sender}>".encode(),
            (f"Received: from {MX} (LHLO {MX}) (192.0.2.20) by {MX} with LMTP;\r\n"
             f" {rfc_date(d2, 'zimbra')}").encode(),
            f"Authentication-Results: {MX};\r\n\t{auth}".encode(),
            (f"Received: from {helo} ({helo} [{ip}])\r\n"
             f"\tby {MX} (Postfix) with ESMTPS id {qid(key)}\r\n"
             f"\tfor <{OFFICE}>; {rfc_date(d1, 'postfix')}").encode()]


def outlook_msgid(key: str, domain: str = "bentre.edu.vn") -> str:
    h = token("outlook:" + key, 24)
    return f"<000001dc{h[:4]}${h[4:12]}${h[12:20]}$@{domain}>"


def zimbra_msgid(key: str, d: dt.datetime) -> str:
    ms = int(d.timestamp()) * 1000 + int(token("zms:" + key, 3, "0123456789"))
    return (f"<{int(token('zid:' + key, 10, '0123456789')) % 2000000000}."
            f"{int(token('zn:' + key, 6, '0123456789'))}.{ms}.JavaMail.zimbra@bentre.edu.vn>")


def thread_index(key: str) -> str:
    return base64.b64encode(hashlib.sha256(("ti:" + key).encode()).digest()[:22]).decode()


def signature(unit_id: str, who: str | None = None) -> str:
    u = UNITS[unit_id]
    lines = ["--", who] if who else ["--"]
    return "\n".join(lines + [u["official_name"], f"Email: {u['email']}"])


# ---------------------------------------------------------------------------
# attachment contents
# ---------------------------------------------------------------------------
def xlsx_thcs_monthly(unit: str, month: int = 10) -> bytes:
    return make_xlsx(
        f"Tháng {month}",
        ["PHÒNG GD&ĐT BÌNH ĐẠI", f"TRƯỜNG {unit.upper()}",
         f"BÁO CÁO SĨ SỐ VÀ TÌNH HÌNH HOẠT ĐỘNG THÁNG {month}/2026"],
        ["STT", "Khối lớp", "Số lớp", "Sĩ số đầu tháng", "Tăng", "Giảm", "Sĩ số cuối tháng", "Ghi chú"],
        [["Khối 6", 3, 112, 1, 0, 113, "Chuyển đến 01 em"],
         ["Khối 7", 3, 108, 0, 1, 107, "Chuyển trường 01 em"],
         ["Khối 8", 3, 101, 0, 0, 101, ""],
         ["Khối 9", 3, 97, 0, 2, 95, "Bỏ học 02 em (đang vận động)"]])


def xlsx_th_supplement() -> bytes:
    return make_xlsx(
        "Phụ lục",
        ["TRƯỜNG TIỂU HỌC CHÂU HƯNG A",
         "PHỤ LỤC: HỌC SINH KHUYẾT TẬT HỌC HÒA NHẬP - THÁNG 10/2026"],
        ["STT", "Họ và tên học sinh", "Lớp", "Dạng khuyết tật", "Mức độ", "Ghi chú"],
        [["Nguyễn Hoàng Phúc", "2A", "Khó khăn về học", "Nhẹ", "Có kế hoạch giáo dục cá nhân"],
         ["Trần Thị Ngọc Hân", "3B", "Khiếm thính", "Nặng", "Hỗ trợ thiết bị trợ thính"],
         ["Lê Văn Đạt", "5A", "Tự kỷ", "Nhẹ", ""]],
        total_label=None)


def xlsx_th_monthly(unit: str) -> bytes:
    return make_xlsx(
        "BC T10",
        [f"TRƯỜNG {unit.upper()}", "BÁO CÁO THÁNG 10/2026"],
        ["STT", "Khối", "Số lớp", "Số học sinh", "Nữ", "Dân tộc", "Khuyết tật"],
        [["Khối 1", 2, 58, 27, 0, 1], ["Khối 2", 2, 61, 30, 0, 0], ["Khối 3", 2, 55, 26, 1, 1],
         ["Khối 4", 2, 60, 31, 0, 0], ["Khối 5", 2, 57, 29, 0, 1]])


def xlsx_thcs_thitran() -> bytes:
    return make_xlsx(
        "Sheet1",
        ["TRƯỜNG THCS THỊ TRẤN BÌNH ĐẠI", "THỐNG KÊ CHUYÊN CẦN VÀ CƠ SỞ VẬT CHẤT THÁNG 10/2026"],
        ["STT", "Nội dung", "Số lượng", "Đơn vị tính", "Ghi chú"],
        [["Học sinh nghỉ học có phép", 37, "lượt", ""],
         ["Học sinh nghỉ học không phép", 6, "lượt", "Đã liên hệ phụ huynh"],
         ["Phòng học bị dột, cần sửa chữa", 2, "phòng", "Dãy B, tầng trệt"],
         ["Bàn ghế học sinh hư hỏng", 14, "bộ", "Đề nghị bổ sung"]],
        total_label=None)


def docx_monthly(parent: str, unit: str, code: str, place: str, day: int, body: list[str],
                 signer: str, title: str = "Tình hình hoạt động tháng 10 năm 2026",
                 month: int = 11) -> bytes:
    paras = nd30_header(parent, unit.upper(), code, place, day, month, "BÁO CÁO", title)
    paras += [("j", p) for p in body]
    paras += [("ib", "Nơi nhận:"), ("", "- Phòng GD&ĐT (báo cáo);"), ("", "- Lưu: VT."),
              ("cb", "HIỆU TRƯỞNG"), ("cb", signer)]
    return make_docx(paras)


# ---------------------------------------------------------------------------
# the messages, in arrival order
# ---------------------------------------------------------------------------
def m01_thcs_thoi_lai() -> bytes:
    """Valid report, Outlook 2016 on the school's official mailbox, B-encoded subject,
    display name "Trường THCS Thới Lai", xlsx with RFC 2047 filename (Outlook style)."""
    key, d = "01", when(2, 7, 42, 18)
    sender = unit_email("THCS-thoilai")
    text = ("Kính gửi: Phòng Giáo dục và Đào tạo huyện Bình Đại.\n\n"
            "Trường THCS Thới Lai gửi báo cáo sĩ số và tình hình hoạt động tháng 10/2026 "
            "(tệp Excel đính kèm).\n"
            "Trong tháng, nhà trường có 02 học sinh khối 9 bỏ học, giáo viên chủ nhiệm đang "
            "phối hợp với gia đình vận động các em trở lại lớp.\n\n"
            "Trân trọng kính chào.\n\n" + signature("THCS-thoilai", "Văn thư"))
    xlsx = xlsx_thcs_monthly("THCS Thới Lai")
    b1 = f"_004_000001dc{token('b1' + key, 20)}_"
    b2 = f"_000_000001dc{token('b2' + key, 20)}_"
    body = multipart(b1, [alternative(b2, text, "outlook"),
                          attachment(xlsx, CT_XLSX, "Báo cáo tháng 10-2026 - THCS Thới Lai.xlsx",
                                     "outlook")],
                     b"This is a multipart message in MIME format.")
    hdrs = trace_internal(key, sender, d, "192.0.2.57") + [
        addr_header("From", "Trường THCS Thới Lai", sender, "B"),
        f"To: <{OFFICE}>".encode(),
        ew_header("Subject", "THCS Thới Lai - Báo cáo tháng 10/2026", "B"),
        f"Date: {rfc_date(d)}".encode(),
        f"Message-ID: {outlook_msgid(key)}".encode(),
        b"MIME-Version: 1.0",
        f'Content-Type: multipart/mixed;\r\n\tboundary="{b1}"'.encode(),
        b"X-Mailer: Microsoft Outlook 16.0",
        f"Thread-Index: {thread_index(key)}".encode(),
        b"Content-Language: vi",
    ]
    return message(hdrs, body)


def m02_gmail_personal() -> bytes:
    """Teacher sends TH Thới Lai's report from her personal Gmail."""
    key, d = "02", when(2, 9, 15, 3)
    sender = "colan.ththoilai@gmail.com"
    text = ("Dạ em chào Phòng ạ,\n\n"
            "Em gửi Phòng báo cáo tháng 10 của Trường TH Thới Lai. Hộp thư của trường bị "
            "lỗi đăng nhập từ hôm thứ Sáu nên em gửi tạm bằng mail cá nhân, mong Phòng "
            "thông cảm ạ.\n\n"
            "Nguyễn Thị Lan\nGiáo viên Trường Tiểu học Thới Lai")
    docx = docx_monthly("PHÒNG GD&ĐT BÌNH ĐẠI", "Trường Tiểu học Thới Lai", "52/BC-THTL", "Thới Lai", 1,
                        ["Thực hiện chế độ thông tin, báo cáo định kỳ, Trường Tiểu học Thới Lai báo cáo "
                         "tình hình hoạt động tháng 10 năm 2026 như sau:",
                         "1. Tổng số học sinh: 291 em, tăng 01 em so với tháng trước.",
                         "2. Tổ chức thành công Hội thi giáo viên dạy giỏi cấp trường.",
                         "3. Phương hướng tháng 11: tổ chức các hoạt động chào mừng Ngày Nhà giáo "
                         "Việt Nam 20/11."],
                        "Phạm Văn Hùng")
    b1 = "000000000000" + token("gm1" + key, 16)
    b2 = "000000000000" + token("gm2" + key, 16)
    body = multipart(b1, [alternative(b2, text, "gmail", "UTF-8"),
                          attachment(docx, CT_DOCX, "Báo cáo tháng 10.docx", "gmail")])
    auth = ("dkim=pass header.d=gmail.com header.s=20230601;\r\n"
            "\tspf=pass smtp.mailfrom=gmail.com;\r\n\tdmarc=pass header.from=gmail.com")
    hdrs = trace_external(key, sender, d, "mail-ej1-f41.google.com", "198.51.100.41", auth) + [
        b"MIME-Version: 1.0",
        f"From: =?UTF-8?B?{base64.b64encode('Cô Lan - TH Thới Lai'.encode()).decode()}?= <{sender}>".encode(),
        f"Date: {rfc_date(d)}".encode(),
        f"Message-ID: <CAK{token('gmid' + key, 40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}"
        f"@mail.gmail.com>".encode(),
        ew_header("Subject", "TH Thới Lai - Báo cáo tháng 10", "B", "UTF-8"),
        f"To: {OFFICE}".encode(),
        f'Content-Type: multipart/mixed; boundary="{b1}"'.encode(),
    ]
    return message(hdrs, body)


def m03_mg_thua_duc_raw() -> bytes:
    """Valid report with an en dash; the client sent raw 8-bit UTF-8 headers."""
    key, d = "03", when(2, 10, 3, 47)
    sender = unit_email("MG-thuaduc")
    text = ("Kính gửi Phòng GD&ĐT Bình Đại,\n\n"
            "Trường Mẫu giáo Thừa Đức gửi báo cáo tháng 10 năm 2026. Trong tháng trường đã "
            "tổ chức khám sức khỏe định kỳ cho 186 cháu và cân đo theo biểu đồ tăng trưởng.\n\n"
            "Trân trọng.\n\n" + signature("MG-thuaduc", "Võ Thị Hồng Nhung"))
    docx = docx_monthly("PHÒNG GD&ĐT BÌNH ĐẠI", "Trường Mẫu giáo Thừa Đức", "38/BC-MGTĐ", "Thừa Đức", 2,
                        ["Tổng số trẻ ra lớp: 186 cháu, đạt tỉ lệ 98,4% so với kế hoạch.",
                         "Trẻ suy dinh dưỡng thể nhẹ cân: 7 cháu; thể thấp còi: 5 cháu.",
                         "Tổ chức hội thi \u201cBé khỏe - Bé ngoan\u201d cấp trường vào ngày 20/10/2026."],
                        "Võ Thị Hồng Nhung")
    b1 = f"----=_Part_{token('jm' + key, 6, '0123456789')}_{token('jm2' + key, 9, '0123456789')}.1793588627000"
    body = multipart(b1, [text_part(text, "8bit"),
                          attachment(docx, CT_DOCX, "BC_thang10_MGThuaDuc.docx", "ascii")])
    hdrs = trace_internal(key, sender, d, "192.0.2.88") + [
        f"Date: {rfc_date(d)}".encode(),
        addr_header("From", "MG Thừa Đức", sender, "raw"),
        f"To: {OFFICE}".encode(),
        f"Message-ID: <{token('mid' + key, 12, '0123456789')}.{token('mid2' + key, 6, '0123456789')}"
        f"@bentre.edu.vn>".encode(),
        "Subject: MG Thừa Đức – Báo cáo tháng 10".encode("utf-8"),
        b"MIME-Version: 1.0",
        f'Content-Type: multipart/mixed;\r\n\tboundary="{b1}"'.encode(),
        b"User-Agent: K-9 Mail for Android",
    ]
    return message(hdrs, body)


REMINDER_SUBJECT = "Phòng GD&ĐT Bình Đại - Nhắc gửi báo cáo tháng 10/2026"
REMINDER_TEXT = ("Kính gửi: Hiệu trưởng các trường trực thuộc.\n\n"
                 "Theo quy định, báo cáo tháng phải gửi trước ngày 10 hàng tháng. Đến nay Phòng "
                 "chưa nhận được báo cáo tháng 10/2026 của đơn vị. Đề nghị đơn vị gửi báo cáo qua "
                 "địa chỉ pgdbinhdai@bentre.edu.vn, tiêu đề ghi rõ \u201cTên đơn vị - nội dung\u201d.\n\n"
                 "Phòng Giáo dục và Đào tạo huyện Bình Đại")


def m04_bounce() -> bytes:
    """Postfix DSN for the office's reminder sent to a mistyped school address."""
    key, d = "04", when(2, 14, 26, 7)
    sent = when(2, 14, 26, 5)
    bad_rcpt = "thcsthoilai@bentre.edu.vn"          # '.binhdai' missing
    q = qid(key)
    orig_qid = qid("04-orig")
    orig_msgid = f"<mailbot.20261102T072605Z.{token('om' + key, 8)}@bentre.edu.vn>"
    bnd = f"{q}.{int(d.timestamp())}/{MX}"
    notice = (f"This is the mail system at host {MX}.\n\n"
              "I'm sorry to have to inform you that your message could not\n"
              "be delivered to one or more recipients. It's attached below.\n\n"
              "For further assistance, please send mail to postmaster.\n\n"
              "If you do so, please include this problem report. You can\n"
              "delete your own text from the attached returned message.\n\n"
              "                   The mail system\n\n"
              f"<{bad_rcpt}>: user unknown\n")
    status = (f"Reporting-MTA: dns; {MX}\n"
              f"X-Postfix-Queue-ID: {orig_qid}\n"
              f"X-Postfix-Sender: rfc822; {OFFICE}\n"
              f"Arrival-Date: {rfc_date(sent, 'postfix')}\n\n"
              f"Final-Recipient: rfc822; {bad_rcpt}\n"
              f"Original-Recipient: rfc822;{bad_rcpt}\n"
              "Action: failed\n"
              "Status: 5.1.1\n"
              "Diagnostic-Code: X-Postfix; user unknown\n")
    original = message([
        f"Return-Path: <{OFFICE}>".encode(),
        (f"Received: from localhost (localhost [127.0.0.1])\r\n\tby {MX} (Postfix) with ESMTP id "
         f"{orig_qid}\r\n\tfor <{bad_rcpt}>; {rfc_date(sent, 'postfix')}").encode(),
        addr_header("From", OFFICE_NAME, OFFICE, "B"),
        f"To: {bad_rcpt}".encode(),
        ew_header("Subject", REMINDER_SUBJECT, "B"),
        f"Date: {rfc_date(sent)}".encode(),
        f"Message-ID: {orig_msgid}".encode(),
        b"Auto-Submitted: auto-generated",
        b"MIME-Version: 1.0",
        b'Content-Type: text/plain; charset="utf-8"',
        b"Content-Transfer-Encoding: quoted-printable",
    ], qp(REMINDER_TEXT))
    body = multipart(bnd, [
        part(["Content-Description: Notification",
              "Content-Type: text/plain; charset=us-ascii"], crlf_text(notice)),
        part(["Content-Description: Delivery report",
              "Content-Type: message/delivery-status"], crlf_text(status)),
        part(["Content-Description: Undelivered Message",
              "Content-Type: message/rfc822",
              "Content-Transfer-Encoding: 8bit"], original),
    ], b"This is a MIME-encapsulated message.")
    hdrs = [
        b"Return-Path: <>",
        (f"Received: from {MX} (LHLO {MX}) (192.0.2.20) by {MX} with LMTP;\r\n"
         f" {rfc_date(d, 'zimbra')}").encode(),
        f"Received: by {MX} (Postfix)\r\n\tid {q}; {rfc_date(d, 'postfix')}".encode(),
        f"Date: {rfc_date(d, 'postfix')}".encode(),
        f"From: MAILER-DAEMON@{MX} (Mail Delivery System)".encode(),
        b"Subject: Undelivered Mail Returned to Sender",
        f"To: {OFFICE}".encode(),
        b"Auto-Submitted: auto-replied",
        b"MIME-Version: 1.0",
        (f"Content-Type: multipart/report; report-type=delivery-status;\r\n"
         f'\tboundary="{bnd}"').encode(),
        b"Content-Transfer-Encoding: 8bit",
        f"Message-Id: <{d.astimezone(dt.timezone.utc):%Y%m%d%H%M%S}.{q}@{MX}>".encode(),
    ]
    return message(hdrs, body)


def m05_auto_reply() -> bytes:
    """Outlook out-of-office reply from a school to the office's reminder."""
    key, d = "05", when(2, 14, 26, 31)
    sender = unit_email("THCS-longdinh")
    reminder_id = f"<mailbot.20261102T072605Z.{token('rem' + key, 8)}@bentre.edu.vn>"
    text = ("Tôi hiện đang đi tập huấn cán bộ quản lý tại thành phố Bến Tre từ ngày 02/11 đến hết "
            "ngày 04/11/2026 và sẽ trả lời thư khi trở về.\n"
            "Việc cần gấp xin liên hệ thầy Lê Minh Trí, Phó Hiệu trưởng Trường THCS Long Định.\n\n"
            "Trân trọng.")
    b2 = f"_000_000001dc{token('b2' + key, 20)}_"
    body = multipart(b2, [
        text_part(text, "quoted-printable"),
        part(['Content-Type: text/html; charset="utf-8"', "Content-Transfer-Encoding: quoted-printable"],
             qp(html_of(text, "outlook"))),
    ])
    hdrs = trace_internal(key, sender, d, "192.0.2.131") + [
        addr_header("From", "THCS Long Định", sender, "B"),
        f"To: {addr_header('X', OFFICE_NAME, OFFICE, 'B').decode()[3:]}".encode(),
        ew_header("Subject", "Trả lời tự động: " + REMINDER_SUBJECT, "B"),
        f"Thread-Topic: {' '.join(encoded_words(REMINDER_SUBJECT))}".encode(),
        f"Thread-Index: {thread_index(key)}".encode(),
        f"Date: {rfc_date(d)}".encode(),
        f"Message-ID: {outlook_msgid(key)}".encode(),
        f"In-Reply-To: {reminder_id}".encode(),
        f"References: {reminder_id}".encode(),
        b"Auto-Submitted: auto-replied",
        b"X-Auto-Response-Suppress: All",
        b"X-MS-Exchange-Inbox-Rules-Loop: " + sender.encode(),
        b"X-Mailer: Microsoft Outlook 16.0",
        b"Content-Language: vi",
        b"MIME-Version: 1.0",
        f'Content-Type: multipart/alternative;\r\n\tboundary="{b2}"'.encode(),
    ]
    return message(hdrs, body)


def m06_unregistered() -> bytes:
    """Teacher's own @bentre.edu.vn address (not in the registry), Thunderbird, RFC 2231."""
    key, d = "06", when(3, 8, 5, 52)
    sender = "nguyenvanan@bentre.edu.vn"
    text = ("Kính gửi Phòng GD&ĐT Bình Đại,\n\n"
            "Tôi là Nguyễn Văn An, giáo viên Trường THCS Châu Hưng. Cô văn thư nghỉ ốm nên tôi "
            "gửi thay báo cáo tháng 10/2026 của trường (đính kèm).\n\n"
            "Trân trọng,\nNguyễn Văn An")
    xlsx = xlsx_thcs_monthly("THCS Châu Hưng")
    b1 = f"------------{token('tb' + key, 24, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')}"
    body = multipart(b1, [text_part(text, "8bit", "UTF-8"),
                          attachment(xlsx, CT_XLSX, "Báo cáo tháng 10 - THCS Châu Hưng.xlsx",
                                     "rfc2231")],
                     b"This is a multi-part message in MIME format.")
    hdrs = trace_internal(key, sender, d, "192.0.2.203") + [
        b'Content-Type: multipart/mixed; boundary="' + b1.encode() + b'"',
        f"Message-ID: <{uuid_like('tbid' + key).lower()}@bentre.edu.vn>".encode(),
        f"Date: {rfc_date(d)}".encode(),
        b"MIME-Version: 1.0",
        b"User-Agent: Mozilla Thunderbird",
        b"Content-Language: vi",
        f"To: {OFFICE}".encode(),
        addr_header("From", "Nguyễn Văn An", sender, "B", "UTF-8"),
        ew_header("Subject", "THCS Châu Hưng - Báo cáo tháng 10/2026", "B", "UTF-8"),
    ]
    return message(hdrs, body)


def m07_re_chau_hung_a() -> bytes:
    """Valid: 'Re:' reply to the office's receipt, Zimbra webmail, Q-encoded subject,
    xlsx with RFC 2231 continuations."""
    key, d = "07", when(3, 9, 30, 12)
    sender = unit_email("TH-chauhunga")
    receipt_id = f"<mailbot.20261030T090512Z.{token('rcpt' + key, 8)}@bentre.edu.vn>"
    text = ("Kính gửi Phòng GD&ĐT Bình Đại,\n\n"
            "Trường Tiểu học Châu Hưng A xin gửi bổ sung phụ lục học sinh khuyết tật học hòa nhập "
            "của báo cáo tháng 10/2026 (đính kèm). Báo cáo gửi ngày 30/10 bị thiếu phụ lục này.\n\n"
            "Trân trọng.\n\n" + signature("TH-chauhunga", "Huỳnh Thị Mỹ Duyên") + "\n\n"
            "----- Thư gốc -----\n"
            f"Từ: \"{OFFICE_NAME}\" <{OFFICE}>\n"
            f"Đến: \"TH Châu Hưng A\" <{sender}>\n"
            "Đã gửi: Thứ Sáu, 30 Tháng 10 2026 16:05:12\n"
            "Chủ đề: TH Châu Hưng A - Báo cáo tháng 10/2026\n\n"
            "Phòng GD&ĐT Bình Đại đã nhận báo cáo \u201cBáo cáo tháng 10/2026\u201d của đơn vị lúc "
            "16:04 ngày 30/10/2026.")
    xlsx = xlsx_th_supplement()
    b1 = f"=_{token('zb' + key, 8)}-{token('zb2' + key, 4)}-{token('zb3' + key, 4)}-{token('zb4' + key, 12)}"
    body = multipart(b1, [text_part(text, "quoted-printable"),
                          attachment(xlsx, CT_XLSX, "Phụ lục học sinh khuyết tật tháng 10-2026 - TH Châu Hưng A.xlsx",
                                     "rfc2231c")])
    hdrs = trace_internal(key, sender, d, "192.0.2.64") + [
        f"Date: {rfc_date(d, 'zimbra')}".encode(),
        addr_header("From", "TH Châu Hưng A", sender, "Q"),
        addr_header("To", OFFICE_NAME, OFFICE, "Q"),
        f"Message-ID: {zimbra_msgid(key, d)}".encode(),
        f"In-Reply-To: {receipt_id}".encode(),
        f"References: {receipt_id}".encode(),
        ew_header("Subject", "Re: TH Châu Hưng A - Báo cáo tháng 10/2026 (bổ sung)", "Q"),
        b"MIME-Version: 1.0",
        f'Content-Type: multipart/mixed;\r\n\tboundary="{b1}"'.encode(),
        b"X-Mailer: Zimbra 8.8.15_GA_4562 (ZimbraWebClient - GC130 (Win)/8.8.15_GA_4562)",
        b"Thread-Topic: " + " ".join(encoded_words("TH Châu Hưng A - Báo cáo tháng 10/2026", "Q")).encode(),
        f"Thread-Index: {thread_index(key)[:30]}".encode(),
    ]
    return message(hdrs, body)


def m08_lookalike_domain() -> bytes:
    """Look-alike domain bentre-edu.vn (hyphen instead of dot), display name of a real unit."""
    key, d = "08", when(3, 10, 48, 26)
    sender = "thphulong.binhdai@bentre-edu.vn"
    text = ("Kính gửi Phòng GD&ĐT Bình Đại,\n\n"
            "Trường Tiểu học Phú Long gửi báo cáo tháng 10/2026. Đề nghị Phòng mở tệp đính kèm "
            "và bấm \u201cBật nội dung\u201d để xem đầy đủ số liệu.\n\n"
            "Trân trọng.")
    docx = docx_monthly("PHÒNG GD&ĐT BÌNH ĐẠI", "Trường Tiểu học Phú Long", "47/BC-THPL", "Phú Long", 3,
                        ["Báo cáo tình hình hoạt động tháng 10 năm 2026 của nhà trường.",
                         "Số liệu chi tiết xem tại phụ lục kèm theo."],
                        "Nguyễn Thanh Sơn")
    b1 = f"b1_{token('php' + key, 40, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')}"
    body = multipart(b1, [text_part(text, "quoted-printable", "utf-8"),
                          attachment(docx, CT_DOCX, "Báo cáo tháng 10 - TH Phú Long.docx", "outlook")],
                     b"This is a multi-part message in MIME format.")
    auth = ("dkim=none;\r\n\tspf=none smtp.mailfrom=bentre-edu.vn;\r\n"
            "\tdmarc=none header.from=bentre-edu.vn")
    hdrs = trace_external(key, sender, d, "mail.bentre-edu.vn", "203.0.113.77", auth) + [
        f"Date: {rfc_date(d)}".encode(),
        f"To: {OFFICE}".encode(),
        addr_header("From", "TH Phú Long", sender, "Q"),
        ew_header("Subject", "TH Phú Long - Báo cáo tháng 10/2026", "Q"),
        f"Message-ID: <{token('pid' + key, 32, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}"
        f"@mail.bentre-edu.vn>".encode(),
        b"X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)",
        b"MIME-Version: 1.0",
        f'Content-Type: multipart/mixed;\r\n boundary="{b1}"'.encode(),
    ]
    return message(hdrs, body)


def m09_not_reporting() -> bytes:
    """Upper-secondary school (reports to the Sở, not the Phòng) mails the office."""
    key, d = "09", when(3, 15, 20, 44)
    sender = unit_email("THPT-lehoangchieu")
    text = ("Kính gửi: Phòng Giáo dục và Đào tạo huyện Bình Đại.\n\n"
            "Trường THPT Lê Hoàng Chiếu gửi báo cáo tháng 10/2026 về công tác phối hợp tuyên "
            "truyền an toàn giao thông trước cổng trường.\n\n"
            "Trân trọng kính chào.\n\n" + signature("THPT-lehoangchieu", "Văn phòng"))
    docx = docx_monthly("SỞ GD&ĐT BẾN TRE", "Trường THPT Lê Hoàng Chiếu", "112/BC-THPTLHC", "Bình Đại", 3,
                        ["Trong tháng 10/2026 nhà trường phối hợp Công an thị trấn tổ chức 02 buổi tuyên "
                         "truyền an toàn giao thông cho 1.024 học sinh.",
                         "Không có học sinh vi phạm trật tự an toàn giao thông."],
                        "Trần Quốc Bảo")
    b1 = f"_004_000001dc{token('b1' + key, 20)}_"
    b2 = f"_000_000001dc{token('b2' + key, 20)}_"
    body = multipart(b1, [alternative(b2, text, "outlook"),
                          attachment(docx, CT_DOCX, "Báo cáo ATGT tháng 10.docx", "outlook")],
                     b"This is a multipart message in MIME format.")
    hdrs = trace_internal(key, sender, d, "192.0.2.150") + [
        addr_header("From", "Trường THPT Lê Hoàng Chiếu", sender, "B"),
        f"To: <{OFFICE}>".encode(),
        ew_header("Subject", "THPT Lê Hoàng Chiếu - Báo cáo tháng 10/2026", "B"),
        f"Date: {rfc_date(d)}".encode(),
        f"Message-ID: {outlook_msgid(key)}".encode(),
        b"MIME-Version: 1.0",
        f'Content-Type: multipart/mixed;\r\n\tboundary="{b1}"'.encode(),
        b"X-Mailer: Microsoft Outlook 16.0",
        f"Thread-Index: {thread_index(key)}".encode(),
        b"Content-Language: vi",
    ]
    return message(hdrs, body)


def zimbra_message(key: str, d: dt.datetime, unit_id: str, display: str, subject: str,
                   text: str, att: tuple[bytes, str, str, str] | None, client_ip: str,
                   subject_enc: str | None = "Q") -> bytes:
    sender = unit_email(unit_id)
    parts_ = [text_part(text, "quoted-printable")]
    if att:
        parts_.append(attachment(*att))
    b1 = f"=_{token('zb' + key, 8)}-{token('zb2' + key, 4)}-{token('zb3' + key, 4)}-{token('zb4' + key, 12)}"
    if subject_enc:
        subj = ew_header("Subject", subject, subject_enc)
    else:
        subj = f"Subject: {subject}".encode("ascii")
    hdrs = trace_internal(key, sender, d, client_ip) + [
        f"Date: {rfc_date(d, 'zimbra')}".encode(),
        addr_header("From", display, sender, "Q"),
        f"To: {OFFICE}".encode(),
        f"Message-ID: {zimbra_msgid(key, d)}".encode(),
        subj,
        b"MIME-Version: 1.0",
        f'Content-Type: multipart/mixed;\r\n\tboundary="{b1}"'.encode(),
        b"X-Mailer: Zimbra 8.8.15_GA_4562 (ZimbraWebClient - GC130 (Win)/8.8.15_GA_4562)",
        f"Thread-Index: {thread_index(key)[:30]}".encode(),
        b"Thread-Topic: " + (" ".join(encoded_words(subject, "Q")) if not subject.isascii() else subject).encode(),
    ]
    return message(hdrs, multipart(b1, parts_))


def m10_no_unit() -> bytes:
    """Registered unit, subject without unit name or separator."""
    text = ("Kính gửi Phòng GD&ĐT Bình Đại,\n\n"
            "Trường gửi báo cáo tháng 10/2026, Phòng xem giúp ạ.\n\n"
            + signature("TH-thuaduc", "Đặng Thị Kiều Oanh"))
    return zimbra_message("10", when(4, 7, 55, 9), "TH-thuaduc", "TH Thừa Đức", "Báo cáo tháng 10",
                          text, (xlsx_th_monthly("TH Thừa Đức"), CT_XLSX,
                                 "Báo cáo tháng 10.xlsx", "rfc2231"), "192.0.2.99")


def m11_tl_mn_phu_long() -> bytes:
    """Valid: Vietnamese Outlook reply prefix 'TL:' and an em dash; the office had returned
    the plan for formatting (NĐ 30), the school answers with the corrected .docx."""
    key, d = "11", when(4, 9, 12, 37)
    sender = unit_email("MN-phulong")
    returned_id = f"<mailbot.20261103T081000Z.{token('ret' + key, 8)}@bentre.edu.vn>"
    text = ("Kính gửi Phòng GD&ĐT Bình Đại,\n\n"
            "Trường Mầm non Phú Long gửi lại Kế hoạch tổ chức khai giảng năm học 2026-2027 đã "
            "chỉnh sửa thể thức theo Nghị định số 30/2020/NĐ-CP như Phòng đã góp ý.\n\n"
            "Trân trọng.\n\n" + signature("MN-phulong", "Lê Thị Thu Thảo") + "\n\n"
            f"Từ: {OFFICE_NAME} <{OFFICE}>\n"
            "Gửi: Thứ Ba, 3 tháng 11, 2026 15:10\n"
            f"Đến: MN Phú Long <{sender}>\n"
            "Chủ đề: MN Phú Long — Kế hoạch tổ chức khai giảng\n\n"
            "Văn bản chưa đúng thể thức (thiếu số, ký hiệu và nơi nhận). Phòng chuyển trả để đơn vị "
            "chỉnh sửa, gửi lại.")
    paras = nd30_header("PHÒNG GD&ĐT BÌNH ĐẠI", "TRƯỜNG MẦM NON PHÚ LONG", "21/KH-MNPL", "Phú Long", 4, 11,
                        "KẾ HOẠCH", "Tổ chức khai giảng năm học 2026-2027")
    paras += [("b", "I. MỤC ĐÍCH, YÊU CẦU"),
              ("j", "Tổ chức lễ khai giảng trang trọng, vui tươi, tạo không khí phấn khởi cho trẻ, "
                    "phụ huynh và đội ngũ giáo viên, nhân viên nhà trường."),
              ("b", "II. THỜI GIAN, ĐỊA ĐIỂM"),
              ("j", "Thời gian: 07 giờ 00, ngày 05 tháng 9 năm 2026. Địa điểm: sân trường điểm chính."),
              ("b", "III. TỔ CHỨC THỰC HIỆN"),
              ("j", "Phó Hiệu trưởng phụ trách chuyên môn chịu trách nhiệm chương trình văn nghệ; "
                    "tổ văn phòng chuẩn bị cơ sở vật chất, khánh tiết."),
              ("ib", "Nơi nhận:"), ("", "- Phòng GD&ĐT (báo cáo);"), ("", "- Lưu: VT."),
              ("cb", "HIỆU TRƯỞNG"), ("cb", "Lê Thị Thu Thảo")]
    docx = make_docx(paras)
    b1 = f"_004_000001dc{token('b1' + key, 20)}_"
    b2 = f"_000_000001dc{token('b2' + key, 20)}_"
    body = multipart(b1, [alternative(b2, text, "outlook"),
                          attachment(docx, CT_DOCX,
                                     "Kế hoạch tổ chức khai giảng năm học 2026-2027 (đã chỉnh sửa).docx",
                                     "outlook")],
                     b"This is a multipart message in MIME format.")
    subject = "TL: MN Phú Long — Kế hoạch tổ chức khai giảng"
    hdrs = trace_internal(key, sender, d, "192.0.2.45") + [
        addr_header("From", "MN Phú Long", sender, "B"),
        f"To: {addr_header('X', OFFICE_NAME, OFFICE, 'B').decode()[3:]}".encode(),
        ew_header("Subject", subject, "B"),
        f"Date: {rfc_date(d)}".encode(),
        f"Message-ID: {outlook_msgid(key)}".encode(),
        f"In-Reply-To: {returned_id}".encode(),
        f"References: {returned_id}".encode(),
        b"MIME-Version: 1.0",
        f'Content-Type: multipart/mixed;\r\n\tboundary="{b1}"'.encode(),
        b"X-Mailer: Microsoft Outlook 16.0",
        f"Thread-Index: {thread_index(key)}".encode(),
        b"Content-Language: vi",
    ]
    return message(hdrs, body)


def m12_unit_mismatch() -> bytes:
    """TH Thới Lai's official address, subject names THCS Thới Lai (copied subject)."""
    text = ("Kính gửi Phòng GD&ĐT Bình Đại,\n\n"
            "Trường Tiểu học Thới Lai gửi lại báo cáo tháng 10/2026 từ hộp thư của trường "
            "(hôm thứ Hai cô Lan đã gửi tạm bằng thư cá nhân).\n\n"
            "Trân trọng.\n\n" + signature("TH-thoilai", "Nguyễn Thị Lan"))
    docx = docx_monthly("PHÒNG GD&ĐT BÌNH ĐẠI", "Trường Tiểu học Thới Lai", "52/BC-THTL", "Thới Lai", 1,
                        ["Thực hiện chế độ thông tin, báo cáo định kỳ, Trường Tiểu học Thới Lai báo cáo "
                         "tình hình hoạt động tháng 10 năm 2026 như sau:",
                         "1. Tổng số học sinh: 291 em, tăng 01 em so với tháng trước.",
                         "2. Tổ chức thành công Hội thi giáo viên dạy giỏi cấp trường."],
                        "Phạm Văn Hùng")
    return zimbra_message("12", when(4, 16, 40, 2), "TH-thoilai", "TH Thới Lai",
                          "THCS Thới Lai - Báo cáo tháng 10", text,
                          (docx, CT_DOCX, "Báo cáo tháng 10 - TH Thới Lai.docx", "rfc2231"),
                          "192.0.2.58")


def m13_fwd_long_dinh() -> bytes:
    """Valid: iPhone Mail forward, NFD (decomposed) subject Q-encoded, zipped .docx with an
    NFD RFC 2231 filename, Apple's text/attachment/text sandwich."""
    key, d = "13", when(5, 8, 20, 11)
    sender = unit_email("TH-longdinh")
    subject = unicodedata.normalize("NFD", "Fwd: TH Long Định - Báo cáo quý I")
    text1 = ("Kính gửi Phòng,\n"
             "Trường Tiểu học Long Định chuyển tiếp lại báo cáo quý I năm 2026 theo đề nghị của Phòng "
             "(Phòng chưa nhận được thư gửi ngày 27/02).\n\n"
             "Gửi từ iPhone của tôi\n\n"
             "Bắt đầu thư được chuyển tiếp:\n\n"
             f"> Từ: TH Long Định <{sender}>\n"
             "> Ngày: 27 tháng 2, 2026 lúc 15:42:10 GMT+7\n"
             f"> Đến: {OFFICE}\n"
             "> Chủ đề: TH Long Định - Báo cáo quý I\n"
             "> \n"
             "> Kính gửi Phòng GD&ĐT Bình Đại,\n"
             "> Trường TH Long Định gửi báo cáo quý I năm 2026 (tệp nén đính kèm).\n")
    text2 = "\n"
    inner = docx_monthly("PHÒNG GD&ĐT BÌNH ĐẠI", "Trường Tiểu học Long Định", "09/BC-THLĐ", "Long Định", 27,
                         ["Thực hiện chế độ báo cáo định kỳ, Trường Tiểu học Long Định báo cáo kết quả "
                          "thực hiện nhiệm vụ quý I năm 2026.",
                          "Duy trì sĩ số đạt 100%; tổ chức tốt Hội khỏe Phù Đổng cấp trường.",
                          "Hoàn thành kiểm tra nội bộ 6/6 giáo viên theo kế hoạch."],
                         "Đoàn Văn Lợi", title="Kết quả thực hiện nhiệm vụ quý I năm 2026", month=2)
    zdata = _zip([("Báo cáo quý I năm 2026 - TH Long Định.docx", inner)], (2026, 2, 27, 15, 40, 0))
    fname = unicodedata.normalize("NFD", "Báo cáo quý I - TH Long Định.zip")
    bnd = f"Apple-Mail-{uuid_like('ab' + key)}"
    body = multipart(bnd, [
        part(["Content-Type: text/plain;\r\n\tcharset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
             qp(text1)),
        attachment(zdata, CT_ZIP, fname, "apple"),
        part(["Content-Type: text/plain;\r\n\tcharset=us-ascii", "Content-Transfer-Encoding: 7bit"],
             crlf_text(text2)),
    ])
    hdrs = trace_internal(key, sender, d, "192.0.2.176") + [
        b"Content-Type: multipart/mixed; boundary=" + bnd.encode(),
        b"Content-Transfer-Encoding: 7bit",
        addr_header("From", "TH Long Định", sender, "Q"),
        b"Mime-Version: 1.0 (1.0)",
        f"Date: {rfc_date(d)}".encode(),
        ew_header("Subject", subject, "Q"),
        f"Message-Id: <{uuid_like('amid' + key)}@bentre.edu.vn>".encode(),
        f"To: {OFFICE}".encode(),
        b"X-Mailer: iPhone Mail (23B85)",
    ]
    return message(hdrs, body)


def m14_unknown_unit() -> bytes:
    """Registered unit, subject left from a template: 'Trường ABC'."""
    key, d = "14", when(5, 10, 5, 33)
    sender = unit_email("MG-binhthang")
    text = ("Kính gửi: Phòng Giáo dục và Đào tạo huyện Bình Đại.\n\n"
            "Trường Mẫu giáo Bình Thắng gửi báo cáo tháng 10/2026 (đính kèm).\n\n"
            "Trân trọng kính chào.\n\n" + signature("MG-binhthang", "Trương Thị Bích Ngọc"))
    docx = docx_monthly("PHÒNG GD&ĐT BÌNH ĐẠI", "Trường Mẫu giáo Bình Thắng", "40/BC-MGBT", "Bình Thắng", 5,
                        ["Tổng số trẻ: 142 cháu; trẻ 5 tuổi ra lớp đạt 100%.",
                         "Tổ chức tập huấn phòng chống đuối nước cho giáo viên, nhân viên."],
                        "Trương Thị Bích Ngọc")
    b1 = f"_004_000001dc{token('b1' + key, 20)}_"
    b2 = f"_000_000001dc{token('b2' + key, 20)}_"
    body = multipart(b1, [alternative(b2, text, "outlook"),
                          attachment(docx, CT_DOCX, "Báo cáo tháng 10 - MG Bình Thắng.docx", "outlook")],
                     b"This is a multipart message in MIME format.")
    hdrs = trace_internal(key, sender, d, "192.0.2.112") + [
        addr_header("From", "MG Bình Thắng", sender, "B"),
        f"To: <{OFFICE}>".encode(),
        ew_header("Subject", "Trường ABC - Báo cáo tháng 10", "B"),
        f"Date: {rfc_date(d)}".encode(),
        f"Message-ID: {outlook_msgid(key)}".encode(),
        b"MIME-Version: 1.0",
        f'Content-Type: multipart/mixed;\r\n\tboundary="{b1}"'.encode(),
        b"X-Mailer: Microsoft Outlook 16.0",
        f"Thread-Index: {thread_index(key)}".encode(),
        b"Content-Language: vi",
    ]
    return message(hdrs, body)


def m15_broken() -> bytes:
    """Corrupted in storage: the header block is interrupted by a run of binary junk with
    NUL bytes (no colon, not a continuation line), the remaining header lines contain NULs,
    Content-Type is multipart/mixed with no boundary parameter, and the body is cut off
    in the middle of a base64 attachment with no closing delimiter."""
    key, d = "15", when(6, 13, 34, 9)
    sender = unit_email("TH-vangquoitay")
    junk = b"\x00\x00\x00\x00" + junk_bytes("junk" + key, 180) + b"\x00" * 12
    b1 = f"----=_NextPart_000_{token('np' + key, 4, '0123456789ABCDEF')}_01DC4E0A.{token('np2' + key, 8, '0123456789ABCDEF')}"
    docx = docx_monthly("PHÒNG GD&ĐT BÌNH ĐẠI", "Trường Tiểu học Vang Quới Tây", "44/BC-THVQT",
                        "Vang Quới Tây", 6, ["Báo cáo tình hình hoạt động tháng 10 năm 2026."],
                        "Phan Minh Tâm")
    att = b64(docx)
    att = att[: len(att) // 2].rstrip(b"\r\n")[:-7]         # truncated mid-line
    lines = [
        f"Return-Path: <{sender}>".encode(),
        (f"Received: from {MX} (LHLO {MX}) (192.0.2.20) by {MX} with LMTP;\r\n"
         f" {rfc_date(d + dt.timedelta(seconds=2), 'zimbra')}").encode(),
        junk,
        addr_header("From", "TH Vang Quới Tây", sender, "B") + b"\x00\x00",
        b"To: " + OFFICE.encode(),
        b"Subj\x00\x00ect: " + " ".join(encoded_words("TH Vang Quới Tây - Báo cáo tháng 10/2026")).encode()
        + b"\x00",
        f"Date: {rfc_date(d)}".encode(),
        b"Message-ID: <" + token("bm" + key, 24).encode() + b"@bentre.edu.vn>\x00\x00\x00\x00",
        b"MIME-Version: 1.0",
        b"Content-Type: multipart/mixed",
        b"",
        f"--{b1}".encode(),
        b'Content-Type: text/plain; charset="utf-8"',
        b"Content-Transfer-Encoding: 8bit",
        b"",
        "Kính gửi Phòng GD&ĐT Bình Đại, Trường TH Vang Quới Tây gửi báo cáo tháng 10/2026.".encode(),
        b"",
        f"--{b1}".encode(),
        f"Content-Type: {CT_DOCX};".encode(),
        ("\t" + rfc2047_param("name", "Báo cáo tháng 10.docx")).encode(),
        b"Content-Transfer-Encoding: base64",
        b"",
        att,
        b"\x00" * 8 + junk_bytes("tail" + key, 40),
    ]
    return CRLF.join(lines) + CRLF


def m16_thcs_thi_tran() -> bytes:
    """Valid: lower-case subject without diacritics, plain ASCII header; ASCII xlsx name."""
    text = ("Kính gửi Phòng GD&ĐT Bình Đại,\n\n"
            "Trường THCS Thị trấn Bình Đại gửi báo cáo tháng 10/2026 (bảng thống kê đính kèm). "
            "Xin lỗi Phòng vì gửi muộn do trường bị mất điện mấy ngày qua.\n\n"
            "Trân trọng.\n\n" + signature("THCS-thitran", "Bùi Thị Ánh Tuyết"))
    return zimbra_message("16", when(9, 16, 52, 40), "THCS-thitran", "THCS Thi tran",
                          "thcs thi tran - bao cao thang 10", text,
                          (xlsx_thcs_thitran(), CT_XLSX, "bc thang 10 thcs thi tran.xlsx", "ascii"),
                          "192.0.2.140", subject_enc=None)


# ---------------------------------------------------------------------------
# catalogue and manifest
# ---------------------------------------------------------------------------
SAMPLES = [
    ("01-thcs-thoi-lai-bao-cao-thang-10", m01_thcs_thoi_lai, "accepted", [], "THCS-thoilai",
     "Outlook 2016; display name 'Trường THCS Thới Lai'; Subject RFC 2047 B; multipart/mixed > "
     "alternative(text, html) + .xlsx (openpyxl) with RFC 2047 encoded-word inside filename=\"...\"."),
    ("02-gmail-co-lan-th-thoi-lai", m02_gmail_personal, "rejected", ["sender-domain"], None,
     "Personal Gmail address; display name 'Cô Lan - TH Thới Lai' imitates a unit; subject itself is "
     "well-formed. Gmail-style .docx attachment (RFC 2047 in filename=)."),
    ("03-mg-thua-duc-en-dash-raw-utf8", m03_mg_thua_duc_raw, "accepted", [], "MG-thuaduc",
     "Subject and From display name are RAW 8-bit UTF-8 (not RFC 2047); separator is an en dash "
     "U+2013; body 8bit; .docx with plain ASCII filename."),
    ("04-bounce-mailer-daemon", m04_bounce, "ignored", ["automatic-mail"], None,
     "Postfix DSN: Return-Path <>, From MAILER-DAEMON, Auto-Submitted: auto-replied, "
     "multipart/report; report-type=delivery-status; returns the office's own reminder "
     "(message/rfc822) sent to a mistyped address. Never reply to it."),
    ("05-auto-reply-thcs-long-dinh", m05_auto_reply, "ignored", ["automatic-mail"], "THCS-longdinh",
     "Outlook out-of-office reply from a registered school: 'Trả lời tự động: Phòng GD&ĐT Bình Đại - "
     "...', Auto-Submitted: auto-replied, X-Auto-Response-Suppress: All, In-Reply-To the reminder. "
     "Subject names the office, which must not be taken as a unit."),
    ("06-unregistered-nguyenvanan", m06_unregistered, "rejected", ["sender-unknown"], None,
     "Individual @bentre.edu.vn address not in the registry (teacher sending for THCS Châu Hưng); "
     "Thunderbird; .xlsx with RFC 2231 filename*=UTF-8''..."),
    ("07-re-th-chau-hung-a-bo-sung", m07_re_chau_hung_a, "accepted", [], "TH-chauhunga",
     "Zimbra web client reply ('Re:' prefix, '(bổ sung)' suffix); Subject RFC 2047 Q; "
     ".xlsx with RFC 2231 continuations filename*0*=utf-8''...; filename*1*=..."),
    ("08-lookalike-domain-bentre-edu-vn", m08_lookalike_domain, "rejected", ["sender-domain"], None,
     "Look-alike domain bentre-edu.vn (hyphen for dot), local part copies TH Phú Long's address, "
     "SPF/DKIM none; Subject Q-encoded; .docx attachment."),
    ("09-thpt-le-hoang-chieu-not-reporting", m09_not_reporting, "rejected", ["sender-not-reporting"],
     "THPT-lehoangchieu",
     "Registered address but reports_to_pgd=no (upper-secondary school reports to the Sở)."),
    ("10-subject-without-unit", m10_no_unit, "rejected", ["subject-format"], "TH-thuaduc",
     "Registered sender TH Thừa Đức; subject 'Báo cáo tháng 10' has no unit and no separator. "
     "Display name in From names the unit but the subject does not."),
    ("11-tl-mn-phu-long-em-dash", m11_tl_mn_phu_long, "accepted", [], "MN-phulong",
     "Vietnamese Outlook reply prefix 'TL:' and em dash U+2014; reply to the office returning a plan "
     "for formatting; .docx (hand-built OOXML) with RFC 2047 filename; not a monthly report (plan)."),
    ("12-unit-mismatch-th-vs-thcs-thoi-lai", m12_unit_mismatch, "rejected", ["subject-unit-mismatch"],
     "TH-thoilai",
     "Sender is TH Thới Lai's official address but the subject names THCS Thới Lai (a different, "
     "registered unit). Zimbra; Subject Q; .docx with RFC 2231 filename."),
    ("13-fwd-th-long-dinh-nfd-zip", m13_fwd_long_dinh, "accepted", [], "TH-longdinh",
     "iPhone Mail forward; Subject is NFD (combining marks) Q-encoded; .zip (holding a .docx with a "
     "UTF-8 member name) whose filename*=utf-8''... is NFD; text/plain parts before and after the "
     "attachment; quarterly (quý I) report resent late on request."),
    ("14-unknown-unit-truong-abc", m14_unknown_unit, "rejected", ["subject-unit-unknown"], "MG-binhthang",
     "Registered sender MG Bình Thắng; subject left from a template: 'Trường ABC - Báo cáo tháng 10'."),
    ("15-broken-mime", m15_broken, "quarantined", ["unparseable"], None,
     "Corrupt: after the trace headers the header block is interrupted by ~200 bytes of binary junk "
     "with NUL bytes (so a parser ends the headers there and From/Subject/Date fall into the body); "
     "the later header lines carry NULs ('Subj\\0\\0ect'); Content-Type multipart/mixed has NO boundary "
     "parameter; the body is cut in the middle of a base64 .docx, no closing delimiter, junk at the "
     "end. Would have been TH Vang Quới Tây. Python's parser does not raise: check defects."),
    ("16-thcs-thi-tran-no-diacritics", m16_thcs_thi_tran, "accepted", [], "THCS-thitran",
     "Lower-case subject without diacritics 'thcs thi tran - bao cao thang 10' in a plain ASCII "
     "header (matches alias 'THCS Thị trấn'); body has diacritics; .xlsx with ASCII filename."),
]


def check(name: str, raw: bytes, broken: bool) -> None:
    assert len(raw) < MAX_BYTES, f"{name}: {len(raw)} bytes"
    assert b"\n" not in raw.replace(CRLF, b""), f"{name}: bare LF"
    assert b"\r" not in raw.replace(CRLF, b""), f"{name}: bare CR"
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if broken:
        return
    assert msg["To"] is not None and OFFICE in str(msg["To"]), name
    assert msg["Message-ID"] and msg["Date"], name
    for p in msg.walk():
        fn = p.get_filename()
        if fn:
            assert not re.search(r"=\?|\ufffd", fn), f"{name}: undecoded filename {fn!r}"
            p.get_content()


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    manifest, written, ids = [], set(), set()
    for stem, fn, status, reasons, unit_id, note in SAMPLES:
        raw = fn()
        fname = f"{stem}.eml"
        check(fname, raw, status == "quarantined")
        mid = re.search(rb"(?im)^message-id: *(<[^>]+>)", raw)
        if mid:
            assert mid.group(1) not in ids, f"duplicate Message-ID in {fname}"
            ids.add(mid.group(1))
        assert unit_id is None or unit_id in UNITS, unit_id
        (OUT_DIR / fname).write_bytes(raw)
        written.add(fname)
        manifest.append({"file": fname, "expect_status": status, "expect_reasons": reasons,
                         "unit_id": unit_id, "note": note})
    for stale in OUT_DIR.glob("*.eml"):
        if stale.name not in written:
            stale.unlink()
    (OUT_DIR / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n")
    print(f"wrote {len(manifest)} messages and manifest.json to {OUT_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
