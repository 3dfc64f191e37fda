"""Đơn vị: the units list (schools, their names and official addresses), edited by staff one unit
at a time or imported from the units file (CSV/XLSX) after a preview; every change is audited."""

from __future__ import annotations

import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from mailbot.adapters.units_file import read_units_file
from mailbot.core.text import fold, nfc
from mailbot.core.units import Unit
from mailbot.errors import UnitsFileError
from mailbot.service.accounts import Role
from mailbot.web.auth import audit, mailbot, requires
from mailbot.web.export import xlsx_response

bp = Blueprint("units", __name__)

_UNIT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.&-]{0,63}$")
_ADDRESS = re.compile(r"^[a-z0-9](?:[a-z0-9._%+=-]{0,63})@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
UPLOAD_SUFFIXES = {".csv", ".xlsx", ".xlsm"}
UPLOAD_MAX_AGE = 24 * 3600  # an import preview not confirmed within a day is forgotten
FIELDS_VI = {
    "name": "Tên đơn vị",
    "subject_name": "Tên ghi trong tiêu đề",
    "kind": "Loại",
    "aliases": "Tên khác",
    "addresses": "Địa chỉ thư",
    "reports": "Gửi báo cáo",
}


# --- the list -------------------------------------------------------------------------------------
def _all_units() -> list[Unit]:
    with mailbot().db.transaction() as reg:
        return reg.units()


def _matches(unit: Unit, needle: str) -> bool:
    hay = fold(" ".join([unit.unit_id, unit.name, unit.subject_name, unit.kind, *unit.aliases, *unit.addresses]))
    return needle in hay or needle in " ".join(unit.addresses).lower()


@bp.route("/units")
def index() -> ResponseReturnValue:
    q = request.args.get("q", "").strip()[:200]
    units = _all_units()
    needle = fold(q)
    shown = [u for u in units if _matches(u, needle)] if needle else units
    saved = request.args.get("saved", "")
    imported = request.args.get("imported")
    notice = None
    if saved and any(u.unit_id == saved for u in units):
        notice = f"Đã lưu đơn vị {saved}."
    elif imported is not None:
        added, updated = request.args.get("added", 0, type=int), request.args.get("updated", 0, type=int)
        notice = f"Đã nhập danh sách đơn vị: thêm {added}, cập nhật {updated}."
    return render_template("units_index.html", units=shown, total=len(units), q=q, notice=notice)


@bp.route("/units.xlsx")
def export() -> ResponseReturnValue:
    rows = [
        (u.unit_id, u.name, u.subject_name, u.kind, " | ".join(u.aliases), " | ".join(u.addresses), "có" if u.reports else "không")
        for u in _all_units()
    ]
    headings = ("Mã đơn vị", "Tên đơn vị", "Tên ghi trong tiêu đề", "Loại", "Tên khác", "Địa chỉ thư", "Gửi báo cáo")
    return xlsx_response("don-vi.xlsx", "Danh sách đơn vị", headings, rows)


# --- one unit -------------------------------------------------------------------------------------
@dataclass
class UnitForm:
    unit_id: str = ""
    name: str = ""
    subject_name: str = ""
    kind: str = ""
    aliases: str = ""
    addresses: str = ""
    reports: bool = True
    other_domain: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, unit: Unit) -> "UnitForm":
        return cls(unit.unit_id, unit.name, unit.subject_name, unit.kind, "\n".join(unit.aliases), "\n".join(unit.addresses), unit.reports)

    @classmethod
    def posted(cls, unit_id: str) -> "UnitForm":
        form = request.form
        return cls(
            unit_id=unit_id,
            name=form.get("name", "")[:300],
            subject_name=form.get("subject_name", "")[:300],
            kind=form.get("kind", "")[:64],
            aliases=form.get("aliases", "")[:20000],
            addresses=form.get("addresses", "")[:20000],
            reports=form.get("reports") == "1",
            other_domain=form.get("other_domain") == "1",
        )

    def error(self, name: str, text: str) -> None:
        self.errors.setdefault(name, []).append(text)


def _lines(text: str) -> list[str]:
    seen: list[str] = []
    for line in text.replace("\r", "\n").split("\n"):
        line = line.strip()
        if line and line not in seen:
            seen.append(line)
    return seen


def _char_name(ch: str) -> str:
    return f"“{ch}” (U+{ord(ch):04X} {unicodedata.name(ch, '?')})"


def check_address(address: str, allowed_domain: str, other_domain: bool) -> tuple[str | None, str | None]:
    """(the address as stored, or None; the error in Vietnamese, or None)."""
    bad = next((ch for ch in address if not ch.isascii()), None)
    if bad is not None:
        return None, (
            f"Địa chỉ “{address}” có ký tự không phải ASCII {_char_name(bad)}. Địa chỉ thư chỉ gồm chữ Latin "
            "không dấu, chữ số và các dấu . _ - @ (hãy gõ lại, không sao chép từ văn bản)."
        )
    lowered = address.lower()
    if not _ADDRESS.match(lowered):
        return None, f"Địa chỉ “{address}” không đúng dạng ten@mien (ví dụ thcsthoilai.binhdai@{allowed_domain})."
    domain = lowered.rpartition("@")[2]
    if domain != allowed_domain.lower() and not other_domain:
        return None, (
            f"Địa chỉ “{address}” không thuộc miền @{allowed_domain}. Thư từ miền khác bị từ chối; nếu thật sự "
            "cần, hãy đánh dấu ô “Cho phép địa chỉ ngoài miền”."
        )
    return lowered, None


def _validate(form: UnitForm, units: dict[str, Unit], is_new: bool) -> Unit | None:
    settings = mailbot().settings
    unit_id = form.unit_id.strip()
    if is_new:
        if not unit_id:
            form.error("unit_id", "Hãy nhập mã đơn vị.")
        elif not _UNIT_ID.match(unit_id):
            form.error("unit_id", "Mã đơn vị chỉ gồm chữ Latin không dấu, chữ số và các dấu - _ . & (tối đa 64 ký tự).")
        elif unit_id in units:
            form.error("unit_id", f"Mã đơn vị {unit_id} đã có.")
    name = nfc(form.name)
    if not name:
        form.error("name", "Hãy nhập tên đơn vị.")
    subject_name = nfc(form.subject_name) or name
    aliases = tuple(nfc(a) for a in _lines(form.aliases))
    addresses: list[str] = []
    owners = {a: u for u in units.values() for a in u.addresses}
    for line in _lines(form.addresses):
        address, problem = check_address(line, settings.allowed_domain, form.other_domain)
        if problem:
            form.error("addresses", problem)
            continue
        assert address is not None
        owner = owners.get(address)
        if owner is not None and owner.unit_id != unit_id:
            form.error("addresses", f"Địa chỉ {address} đang là địa chỉ của {owner.name} ({owner.unit_id}); hãy bỏ ở đơn vị đó trước.")
            continue
        if address not in addresses:
            addresses.append(address)
    if form.errors:
        return None
    return Unit(unit_id, name, subject_name, nfc(form.kind), aliases, tuple(addresses), form.reports)


def _changes(old: Unit | None, new: Unit) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in FIELDS_VI:
        before = getattr(old, name) if old is not None else None
        after = getattr(new, name)
        if before != after:
            changes[name] = {"from": list(before) if isinstance(before, tuple) else before,
                             "to": list(after) if isinstance(after, tuple) else after}
    return changes


def _edit(unit_id: str | None) -> ResponseReturnValue:
    units = {u.unit_id: u for u in _all_units()}
    old = units.get(unit_id) if unit_id is not None else None
    if unit_id is not None and old is None:
        abort(404)
    is_new = old is None
    if request.method == "GET":
        form = UnitForm.of(old) if old is not None else UnitForm()
        return render_template("units_form.html", form=form, is_new=is_new, fields=FIELDS_VI, allowed_domain=mailbot().settings.allowed_domain)
    form = UnitForm.posted(unit_id if unit_id is not None else request.form.get("unit_id", "")[:64])
    unit = _validate(form, units, is_new)
    if unit is None:
        return render_template("units_form.html", form=form, is_new=is_new, fields=FIELDS_VI, allowed_domain=mailbot().settings.allowed_domain), 400
    changes = _changes(old, unit)
    if changes:
        app = mailbot()
        with app.db.transaction() as reg:
            reg.upsert_units([unit], app.clock())
        audit("unit-edit", unit.unit_id, {"new": is_new, "changes": changes})
    return redirect(url_for("units.index", saved=unit.unit_id, _anchor=f"dv-{unit.unit_id}"))


@bp.route("/units/new", methods=["GET", "POST"])
@requires(Role.STAFF)
def new() -> ResponseReturnValue:
    return _edit(None)


@bp.route("/units/<unit_id>/edit", methods=["GET", "POST"])
@requires(Role.STAFF)
def edit(unit_id: str) -> ResponseReturnValue:
    return _edit(unit_id)


# --- import ---------------------------------------------------------------------------------------
def _uploads() -> Path:
    return Path(mailbot().settings.data_dir) / "uploads"


def _forget_old_uploads(folder: Path) -> None:
    cutoff = time.time() - UPLOAD_MAX_AGE
    for old in folder.glob("units-*"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass


def _upload_path(token: str) -> Path | None:
    if not _TOKEN.match(token):
        return None
    for suffix in UPLOAD_SUFFIXES:
        path = _uploads() / f"units-{token}{suffix}"
        if path.is_file():
            return path
    return None


@dataclass
class Preview:
    added: list[Unit]
    changed: list[tuple[Unit, dict[str, Any]]]
    unchanged: int
    warnings: list[str]


def _preview(units: list[Unit]) -> Preview:
    current = {u.unit_id: u for u in _all_units()}
    domain = mailbot().settings.allowed_domain.lower()
    added, changed, unchanged, warnings = [], [], 0, []
    owners = {a: u for u in current.values() for a in u.addresses}
    for unit in units:
        old = current.get(unit.unit_id)
        if old is None:
            added.append(unit)
        else:
            diff = _changes(old, unit)
            if diff:
                changed.append((unit, diff))
            else:
                unchanged += 1
        for address in unit.addresses:
            if address.rpartition("@")[2] != domain:
                warnings.append(f"{unit.unit_id}: địa chỉ {address} không thuộc miền @{domain}.")
            owner = owners.get(address)
            if owner is not None and owner.unit_id != unit.unit_id:
                warnings.append(f"{unit.unit_id}: địa chỉ {address} sẽ chuyển từ {owner.unit_id} sang đơn vị này.")
    return Preview(added, changed, unchanged, warnings)


def _read(path: Path, shown_name: str) -> tuple[list[Unit] | None, str | None]:
    try:
        return read_units_file(path), None
    except UnitsFileError as exc:
        return None, str(exc).replace(str(path), shown_name).replace(path.name, shown_name)


@bp.route("/units/import", methods=["GET", "POST"])
@requires(Role.STAFF)
def import_file() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("units_import.html", stage="upload", error=None)
    upload = request.files.get("file")
    original = nfc(upload.filename or "")[:200] if upload is not None else ""
    suffix = Path(original).suffix.lower()
    if upload is None or not original:
        return render_template("units_import.html", stage="upload", error="Hãy chọn tệp danh sách đơn vị (.csv hoặc .xlsx)."), 400
    if suffix not in UPLOAD_SUFFIXES:
        return render_template("units_import.html", stage="upload", error="Chỉ nhận tệp .csv (UTF-8) hoặc .xlsx."), 400
    folder = _uploads()
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old_uploads(folder)
    token = secrets.token_urlsafe(32)
    path = folder / f"units-{token}{suffix}"  # our name: never the uploaded file's
    upload.save(path)
    units, error = _read(path, original)
    if units is None:
        path.unlink(missing_ok=True)
        audit("unit-import-refused", original, {"error": error})
        return render_template("units_import.html", stage="upload", error=error, filename=original), 400
    preview = _preview(units)
    audit("unit-import-preview", original, {"added": len(preview.added), "changed": len(preview.changed)})
    return render_template(
        "units_import.html", stage="preview", preview=preview, token=token, filename=original, fields=FIELDS_VI, error=None
    )


@bp.route("/units/import/confirm", methods=["POST"])
@requires(Role.STAFF)
def import_confirm() -> ResponseReturnValue:
    token = request.form.get("token", "")
    filename = nfc(request.form.get("filename", ""))[:200]
    path = _upload_path(token)
    if path is None:
        return render_template(
            "units_import.html", stage="upload",
            error="Bản xem trước đã hết hạn hoặc đã được áp dụng; hãy tải tệp lên lại.",
        ), 400
    units, error = _read(path, filename or "tệp đã tải lên")
    if units is None:
        path.unlink(missing_ok=True)
        return render_template("units_import.html", stage="upload", error=error), 400
    preview = _preview(units)
    app = mailbot()
    with app.db.transaction() as reg:  # unchanged units keep their row (and its updated_at)
        reg.upsert_units([*preview.added, *(u for u, _ in preview.changed)], app.clock())
    path.unlink(missing_ok=True)
    audit(
        "unit-import",
        filename,
        {
            "added": [u.unit_id for u in preview.added],
            "changed": {u.unit_id: diff for u, diff in preview.changed},
            "unchanged": preview.unchanged,
        },
    )
    return redirect(url_for("units.index", imported=1, added=len(preview.added), updated=len(preview.changed)))
