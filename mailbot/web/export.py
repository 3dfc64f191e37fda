"""Excel downloads of the staff tables (the same layout as the CLI's --xlsx)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from flask import Response

from mailbot.adapters.xlsx import table_bytes
from mailbot.web.auth import audit, mailbot

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, title: str, headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> Response:
    """An .xlsx download with Vietnamese headings and dd/mm/yyyy dates; the export is audited.
    `filename` is ours (ASCII, e.g. "so-theo-doi.xlsx"), never text from mail."""
    data = table_bytes(title, headings, rows, mailbot().settings.timezone)
    audit("export", filename, {"rows": len(rows), "title": title})
    return attachment_response(data, filename, XLSX)


def attachment_response(data: bytes, filename: str, content_type: str) -> Response:
    """A download that the browser saves and never renders: Content-Disposition attachment, nosniff,
    and a sandboxing CSP in case a browser renders it anyway. The name is given RFC 6266-style: an ASCII
    fallback plus the UTF-8 original, percent-encoded (so no quote, CR or LF can reach the header)."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in filename)[:150] or "tep"
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename[:200], safe='')}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
