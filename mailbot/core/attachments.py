"""What an attachment really is, judged from its bytes, and what a zip holds, read from its directory.

The office's letter asks for Word or Excel files, possibly compressed (notes §3.5). Clerks rename
files, so the name alone proves nothing: ``sniff`` looks at the content (OLE2 directory, zip
central directory, magic numbers) and only then compares the name's extension with what it found.
``list_archive`` reads a zip's central directory and never extracts or decompresses anything, so a
zip bomb costs no more than its own size. Pure: in-memory bytes only, standard library only.
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from mailbot.core.text import nfc

# A real report zip holds a handful of files and a docx a few dozen parts; more than this many
# central-directory entries is an attack on our memory (each entry becomes a Python object).
MAX_MEMBERS = 10_000


@dataclass(frozen=True)
class FileKind:
    family: str  # "word" | "excel" | "pdf" | "archive" | "executable" | "other"
    detail: str  # "docx", "doc", "xlsx", "xls", "odt", "ods", "zip", "rar", "7z", "pdf", "pe-exe", "elf", "script", ...
    extension_matches: bool  # does the file name's extension agree with the content?


@dataclass(frozen=True)
class ArchiveListing:
    names: tuple[str, ...]  # member names from the central directory (NFC; never extracted)
    total_uncompressed: int  # declared uncompressed size sum
    ratio: float  # total_uncompressed / compressed archive size
    encrypted: bool
    members: tuple[FileKind, ...]  # kind of each member judged from its NAME only (no extraction)
    error: str | None  # "not readable" etc. when the directory cannot be read


# --- extensions -------------------------------------------------------------------------------

_OOXML_WORD = frozenset({"docx", "docm", "dotx", "dotm"})
_OOXML_EXCEL = frozenset({"xlsx", "xlsm", "xltx", "xltm"})
_OOXML_POWERPOINT = frozenset({"pptx", "pptm", "potx", "potm", "ppsx", "ppsm"})

# detail -> the extensions that agree with it ("" is a name without an extension)
_MATCHING: dict[str, frozenset[str]] = {
    "doc": frozenset({"doc", "dot"}),
    "docx": _OOXML_WORD,
    "xls": frozenset({"xls", "xlt"}),
    "xlsx": _OOXML_EXCEL,
    "odt": frozenset({"odt", "ott"}),
    "ods": frozenset({"ods", "ots"}),
    "odf": frozenset({"odp", "otp", "odg", "otg", "odf", "odc", "odb"}),
    "pptx": _OOXML_POWERPOINT,
    "ole2": frozenset({"ppt", "pps", "pot", "msg", "msi", "pub", "vsd", "mpp"}),
    "encrypted-ooxml": _OOXML_WORD | _OOXML_EXCEL | _OOXML_POWERPOINT,
    "zip": frozenset({"zip"}),
    "rar": frozenset({"rar"}),
    "7z": frozenset({"7z"}),
    "pdf": frozenset({"pdf"}),
    "rtf": frozenset({"rtf"}),
    "xls-html": frozenset({"xls"}),
    "xls-xml": frozenset({"xls", "xml"}),
    "html": frozenset({"html", "htm", "xhtml", "shtml"}),
    "pe-exe": frozenset({"exe", "dll", "scr", "com", "sys", "cpl", "ocx", "drv", "pif", "efi"}),
    "elf": frozenset({"", "so", "elf", "bin", "o", "out"}),
    "script": frozenset({"", "sh", "bash", "zsh", "ksh", "csh", "py", "pl", "rb", "php", "awk"}),
    "unknown": frozenset(),
}

# extension -> (family, detail) for archive members, which are judged by name only
_BY_NAME: dict[str, tuple[str, str]] = {}
for _family, _details in (
    ("word", ("doc", "docx", "odt")),
    ("excel", ("xls", "xlsx", "ods")),
    ("archive", ("zip", "rar", "7z")),
    ("pdf", ("pdf",)),
    ("other", ("pptx", "odf", "rtf", "html")),
    ("executable", ("pe-exe",)),
):
    for _detail in _details:
        for _ext in _MATCHING[_detail]:
            _BY_NAME[_ext] = (_family, _detail)
for _ext in ("gz", "tgz", "tar", "bz2", "tbz", "xz", "txz", "zst", "lz", "lzma", "cab", "arj", "lzh", "ace", "z", "iso", "img"):
    _BY_NAME[_ext] = ("archive", _ext)
for _ext in ("bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "sh", "bash", "py", "pl", "rb", "php", "reg", "scf"):
    _BY_NAME[_ext] = ("executable", "script")
for _ext in ("msi", "msp", "lnk", "url", "jar", "apk", "appx", "msix", "application", "gadget", "inf", "chm"):
    _BY_NAME[_ext] = ("executable", _ext)
for _ext in ("ppt", "pps", "pot"):
    _BY_NAME[_ext] = ("other", "ppt")
del _family, _details, _detail, _ext


_WORD_EXTENSIONS = frozenset({"doc", "docx", "rtf"})
_EXCEL_EXTENSIONS = frozenset({"xls", "xlsx"})


def _extension(filename: str) -> str:
    """Lower-case extension without the dot, as Windows sees it ("" when there is none).

    NFC, invisible format characters dropped (a right-to-left override cannot hide ".exe"),
    directories and trailing dots/spaces (which Windows ignores) removed.
    """
    name = nfc(filename).lower()
    name = name.replace("\\", "/").rpartition("/")[2].rstrip(". ")
    stem, dot, ext = name.rpartition(".")
    return ext.strip() if dot else ""


def _kind(family: str, detail: str, filename: str) -> FileKind:
    return FileKind(family, detail, _extension(filename) in _MATCHING.get(detail, frozenset()))


# --- OLE2 (old .doc / .xls) -------------------------------------------------------------------

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAXREGSECT = 0xFFFFFFFA
_NOSTREAM = 0xFFFFFFFF


class _BadOle(Exception):
    pass


def _ole2_top_level_names(data: bytes) -> set[str]:
    """Names of the streams and storages directly under the root storage (raises _BadOle).

    Only the top level counts: a Word file with an embedded Excel chart holds a "Workbook" stream
    inside an ObjectPool storage, and an Excel file with an embedded document a "WordDocument".
    """
    if len(data) < 512:
        raise _BadOle("short header")
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        raise _BadOle("sector size")
    size = 1 << shift
    per_sector = size // 4
    n_difat_sectors, first_dir = struct.unpack_from("<I", data, 72)[0], struct.unpack_from("<I", data, 48)[0]
    first_difat = struct.unpack_from("<I", data, 68)[0]

    def sector_offset(number: int) -> int:
        offset = (number + 1) * size
        if number > _MAXREGSECT or offset + size > len(data):
            raise _BadOle("sector out of range")
        return offset

    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    difat, seen = first_difat, set()
    while difat <= _MAXREGSECT and len(seen) < n_difat_sectors:
        if difat in seen:
            raise _BadOle("DIFAT loop")
        seen.add(difat)
        entries = struct.unpack_from(f"<{per_sector}I", data, sector_offset(difat))
        fat_sectors.extend(entries[:-1])
        difat = entries[-1]

    def next_sector(number: int) -> int:
        index, slot = divmod(number, per_sector)
        if index >= len(fat_sectors):
            raise _BadOle("FAT too short")
        return struct.unpack_from("<I", data, sector_offset(fat_sectors[index]) + 4 * slot)[0]

    raw_entries: list[bytes] = []
    sector, visited = first_dir, set()
    while sector <= _MAXREGSECT:
        if sector in visited:
            raise _BadOle("directory loop")
        visited.add(sector)
        start = sector_offset(sector)
        raw_entries.extend(data[start + i : start + i + 128] for i in range(0, size, 128))
        sector = next_sector(sector)
    if not raw_entries or raw_entries[0][66] != 5:  # entry 0 is the root storage
        raise _BadOle("no root entry")

    names: set[str] = set()
    stack, done = [struct.unpack_from("<I", raw_entries[0], 76)[0]], set()
    while stack:
        index = stack.pop()
        if index == _NOSTREAM or index >= len(raw_entries) or index in done:
            continue
        done.add(index)
        entry = raw_entries[index]
        name_length = struct.unpack_from("<H", entry, 64)[0]
        if entry[66] in (1, 2) and 2 <= name_length <= 64:  # storage or stream
            names.add(entry[: name_length - 2].decode("utf-16-le", "replace"))
        left, right = struct.unpack_from("<II", entry, 68)
        stack += [left, right]
    return names


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _sniff_ole2(data: bytes, filename: str) -> FileKind:
    try:
        names = _ole2_top_level_names(data)
    except (_BadOle, struct.error, IndexError):
        # Not a directory we can walk: a plain scan for the stream names, as the brief allows.
        blob = data[:4 * 1024 * 1024]
        names = {n for n in ("WordDocument", "Workbook") if _utf16(n) in blob}
        if _utf16("Book") + b"\0\0" in blob:
            names.add("Book")
        if _utf16("EncryptedPackage") in blob:
            names.add("EncryptedPackage")
    if "WordDocument" in names:
        return _kind("word", "doc", filename)
    if "Workbook" in names or "Book" in names:  # "Book" is Excel 5/95
        return _kind("excel", "xls", filename)
    if "EncryptedPackage" in names:  # a password-protected docx/xlsx/pptx is wrapped in OLE2
        return _kind("other", "encrypted-ooxml", filename)
    return _kind("other", "ole2", filename)


# --- ZIP (docx, xlsx, odt, ods, plain zip) ----------------------------------------------------

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": ("word", "odt"),
    b"application/vnd.oasis.opendocument.text-template": ("word", "odt"),
    b"application/vnd.oasis.opendocument.spreadsheet": ("excel", "ods"),
    b"application/vnd.oasis.opendocument.spreadsheet-template": ("excel", "ods"),
}


class _TooMany(Exception):
    pass


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """The zip's central directory, read but nothing extracted; raises on anything unreadable."""
    # Each central-directory record starts with this signature; counting them is a cheap upper bound.
    if data.count(b"PK\x01\x02") > MAX_MEMBERS:
        raise _TooMany
    return zipfile.ZipFile(io.BytesIO(data))


def _odf_kind(archive: zipfile.ZipFile) -> tuple[str, str] | None:
    """odt/ods from the small stored "mimetype" member; "odf" when only the structure says ODF."""
    try:
        info = archive.getinfo("mimetype")
    except KeyError:
        return None
    readable = (
        info.compress_type == zipfile.ZIP_STORED
        and not info.flag_bits & 0x1
        and info.file_size < 100
        and info.compress_size < 100
    )
    if readable:
        try:
            mimetype = archive.read(info).strip()
        except Exception:  # noqa: BLE001 - a broken member is just "not ODF we can name"
            mimetype = b""
        if mimetype in _ODF_MIMETYPES:
            return _ODF_MIMETYPES[mimetype]
        if mimetype.startswith(b"application/vnd.oasis.opendocument."):
            return ("other", "odf")
        if mimetype:
            return None  # e.g. an EPUB: a zip with its own mimetype, not an office document
    names = set(archive.namelist())
    if "content.xml" in names and "META-INF/manifest.xml" in names:
        return ("other", "odf")
    return None


def _sniff_zip(data: bytes, filename: str) -> FileKind:
    try:
        with _open_zip(data) as archive:
            names = [info.filename.lower() for info in archive.infolist()]
            if "[content_types].xml" in names:
                for prefix, family, detail in (("word/", "word", "docx"), ("xl/", "excel", "xlsx"), ("ppt/", "other", "pptx")):
                    if any(name.startswith(prefix) for name in names):
                        return _kind(family, detail, filename)
            odf = _odf_kind(archive)
            if odf is not None:
                return _kind(*odf, filename)
    except Exception:  # noqa: BLE001 - zipfile raises many types on hostile input; a broken zip is still a zip
        pass
    return _kind("archive", "zip", filename)


def _unicode_path_extra(extra: bytes, raw_name: bytes) -> str | None:
    """The Info-ZIP Unicode Path extra field (0x7075), if present and made for this very name."""
    position = 0
    while position + 4 <= len(extra):
        header_id, length = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + length]
        if header_id == 0x7075 and len(body) >= 5 and body[0] == 1:
            if struct.unpack_from("<I", body, 1)[0] == zlib.crc32(raw_name):
                try:
                    return body[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
        position += 4 + length
    return None


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it, NFC.

    Without the UTF-8 flag zipfile decodes the bytes as cp437; Vietnamese Windows tools write
    cp1258 (the built-in "compressed folder") or UTF-8 without the flag, so the cp437 text is
    turned back into its bytes and read as UTF-8, then cp1258, and only then left as cp437.
    """
    name = info.filename
    if not info.flag_bits & 0x800:
        raw = name.encode("cp437")
        unicode_path = _unicode_path_extra(info.extra, raw)
        if unicode_path is not None:
            name = unicode_path
        else:
            for encoding in ("utf-8", "cp1258"):
                try:
                    name = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
    return unicodedata.normalize("NFC", name)


def _kind_from_name(name: str) -> FileKind:
    """A member's kind from its name alone; extension_matches is True when the extension is known."""
    if name.endswith("/"):
        return FileKind("other", "directory", True)
    if name.startswith("__MACOSX/"):  # macOS resource forks: "._report.docx" is not a document
        return FileKind("other", "macos-metadata", True)
    ext = _extension(name)
    if ext in _BY_NAME:
        return FileKind(*_BY_NAME[ext], True)
    return FileKind("other", "unknown", False)


# --- public API -------------------------------------------------------------------------------


def sniff(data: bytes, filename: str) -> FileKind:
    """The attachment's real type from its content, and whether its name's extension agrees.

    family is what policy decides on: "word", "excel", "pdf", "archive", "executable" or "other".
    A ".doc" that is really a docx keeps family "word" with extension_matches False; an executable
    renamed ".doc" is family "executable". Never raises.
    """
    data = bytes(data)
    if data.startswith(_OLE2_MAGIC):
        return _sniff_ole2(data, filename)
    if data.startswith(_ZIP_MAGICS):
        return _sniff_zip(data, filename)
    if data.startswith(b"Rar!\x1a\x07"):  # RAR 4 (…\x00) and RAR 5 (…\x01\x00)
        return _kind("archive", "rar", filename)
    if data.startswith(b"7z\xbc\xaf\x27\x1c"):
        return _kind("archive", "7z", filename)
    if data.startswith(b"%PDF-"):
        return _kind("pdf", "pdf", filename)
    if data.startswith(b"MZ"):
        return _kind("executable", "pe-exe", filename)
    if data.startswith(b"\x7fELF"):
        return _kind("executable", "elf", filename)
    if data.startswith(b"#!"):
        return _kind("executable", "script", filename)
    if data.startswith(b"{\\rtf"):  # Word saves (and clerks rename) RTF as ".doc": Word opens it as a document
        return _kind("word" if _extension(filename) in _WORD_EXTENSIONS else "other", "rtf", filename)
    head = data[:1024].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    # School-management systems export ".xls" files that are really HTML tables or Excel 2003 XML;
    # Excel opens both, so a file with an Excel name and such content is an Excel report.
    spreadsheet_name = _extension(filename) in _EXCEL_EXTENSIONS
    if head.startswith((b"<html", b"<table", b"<!doctype html")) and spreadsheet_name:
        return _kind("excel", "xls-html", filename)
    if head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096] and spreadsheet_name:
        return _kind("excel", "xls-xml", filename)
    if head.startswith((b"<html", b"<script", b"<!doctype")):
        return _kind("other", "html", filename)
    return _kind("other", "unknown", filename)


def list_archive(data: bytes) -> ArchiveListing | None:
    """A zip's members from its central directory, without extracting or decompressing anything.

    None when the data is not a zip (rar and 7z cannot be listed without extra tools). A docx or
    xlsx is a zip too and is listed if asked. A damaged directory gives a listing with error set;
    never raises. Nested archives are listed as members (kind "archive"), never opened.
    """
    data = bytes(data)
    if not data.startswith(_ZIP_MAGICS):
        return None
    try:
        with _open_zip(data) as archive:
            infos = archive.infolist()
            names = tuple(_member_name(info) for info in infos)
            total = sum(info.file_size for info in infos)
            encrypted = any(info.flag_bits & 0x1 for info in infos)
    except _TooMany:
        return ArchiveListing((), 0, 0.0, False, (), "too many members")
    except Exception:  # noqa: BLE001 - zipfile raises many types on hostile input
        return ArchiveListing((), 0, 0.0, False, (), "not readable")
    return ArchiveListing(
        names=names,
        total_uncompressed=total,
        ratio=total / len(data),
        encrypted=encrypted,
        members=tuple(_kind_from_name(name) for name in names),
        error=None,
    )
