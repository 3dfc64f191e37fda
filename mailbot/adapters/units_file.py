"""Read the units file that staff keep (CSV in UTF-8, or XLSX) into Units, with row-level errors."""

from __future__ import annotations

import csv
from pathlib import Path

from mailbot.core.units import Unit, UnitDataError, unit_from_row
from mailbot.errors import UnitsFileError


def read_units_file(path: Path) -> list[Unit]:
    if not path.exists():
        raise UnitsFileError(f"không tìm thấy tệp danh sách đơn vị {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(path)
    else:
        raise UnitsFileError(f"tệp {path.name}: chỉ nhận tệp .csv (UTF-8) hoặc .xlsx")
    units: list[Unit] = []
    seen: dict[str, int] = {}
    try:
        for line, row in rows:
            unit = unit_from_row(row, line)
            if unit.unit_id in seen:
                raise UnitsFileError(f"dòng {line}: mã đơn vị {unit.unit_id} trùng với dòng {seen[unit.unit_id]}")
            seen[unit.unit_id] = line
            units.append(unit)
    except UnitDataError as exc:
        raise UnitsFileError(f"tệp {path.name}, {exc}") from exc
    if not units:
        raise UnitsFileError(f"tệp {path.name} không có đơn vị nào")
    return units


def _csv_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnitsFileError(f"tệp {path.name} không phải UTF-8 (hãy lưu lại dạng 'CSV UTF-8')") from exc
    reader = csv.DictReader(text.splitlines())
    _require_columns(path, reader.fieldnames or [])
    return [(index + 2, row) for index, row in enumerate(reader) if any((v or "").strip() for v in row.values())]


def _xlsx_rows(path: Path) -> list[tuple[int, dict[str, object]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:
        raise UnitsFileError(f"không mở được tệp Excel {path.name}: {exc}") from exc
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise UnitsFileError(f"tệp {path.name} trống")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    _require_columns(path, header)
    return [
        (index + 2, dict(zip(header, values)))
        for index, values in enumerate(rows[1:])
        if any(v not in (None, "") for v in values)
    ]


def _require_columns(path: Path, columns: list[str]) -> None:
    missing = [c for c in ("unit_id", "official_name", "email") if c not in columns]
    if missing:
        raise UnitsFileError(f"tệp {path.name} thiếu cột: {', '.join(missing)}")
