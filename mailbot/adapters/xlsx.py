"""Excel exports laid out the way an office prints them: a title, Vietnamese headings, dd/mm/yyyy dates."""

from __future__ import annotations

import io

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def write_table(
    path: Path, title: str, headings: Sequence[str], rows: Sequence[Sequence[Any]], timezone: str, sheet: str = "Báo cáo"
) -> Path:
    """One sheet: title row, heading row, data rows with borders; datetimes shown in local time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _book(title, headings, rows, timezone, sheet).save(path)
    return path


def table_bytes(
    title: str, headings: Sequence[str], rows: Sequence[Sequence[Any]], timezone: str, sheet: str = "Báo cáo"
) -> bytes:
    """The same workbook as write_table, as the bytes of an .xlsx file (for a download)."""
    buffer = io.BytesIO()
    _book(title, headings, rows, timezone, sheet).save(buffer)
    return buffer.getvalue()


def _book(title: str, headings: Sequence[str], rows: Sequence[Sequence[Any]], timezone: str, sheet: str) -> Workbook:
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(headings), 1))
    ws.append([])
    ws.append(list(headings))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
    tz = ZoneInfo(timezone)
    for row in rows:
        ws.append([_cell(v, tz) for v in row])
        for cell in ws[ws.max_row]:
            cell.border = _BOX
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "dd/mm/yyyy"
    for index, heading in enumerate(headings, 1):
        values = [str(heading)] + [str(r[index - 1]) for r in rows if index - 1 < len(r)]
        ws.column_dimensions[get_column_letter(index)].width = min(max(len(v) for v in values) + 2, 60)
    ws.freeze_panes = "A4"
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "3:3"
    return book


def _cell(value: Any, tz: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None)  # Excel has no time zones: show Vietnam time
    return value
