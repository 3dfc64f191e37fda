"""Staff commands against a real database: units import/list, log filters, check-config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "units.example.csv"


def _mailbot(db_url: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
    base |= {"MAILBOT_DATABASE_URL": db_url, "MAILBOT_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "mailbot", *args], cwd=tmp_path, env=base | (env or {}), capture_output=True, text=True, timeout=120
    )


def test_units_import_and_list(db_url, tmp_path):
    result = _mailbot(db_url, tmp_path, "units", "import", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert "Đã nhập 60 đơn vị" in result.stdout and "thêm mới 60" in result.stdout

    again = _mailbot(db_url, tmp_path, "units", "import", str(EXAMPLE))
    assert "cập nhật 60" in again.stdout, "a second import updates, never duplicates"

    listed = _mailbot(db_url, tmp_path, "units", "list", "--json")
    units = {u["unit_id"]: u for u in map(json.loads, listed.stdout.splitlines())}
    assert len(units) == 60
    assert units["THCS-thoilai"]["addresses"] == ["thcsthoilai.binhdai@bentre.edu.vn"]
    assert units["THCS-thoilai"]["subject_name"] == "THCS Thới Lai"
    assert units["THPT-lehoangchieu"]["reports"] is False


def test_units_import_from_xlsx(db_url, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["unit_id", "official_name", "subject_name", "aliases", "email", "reports_to_pgd"])
    sheet.append(["TH-x", "Trường Tiểu học Xuân", "TH Xuân", "TH Xuan|Tiểu học Xuân", "thx.binhdai@bentre.edu.vn; thx2@bentre.edu.vn", "yes"])
    path = tmp_path / "đơn vị.xlsx"
    book.save(path)
    assert _mailbot(db_url, tmp_path, "units", "import", str(path)).returncode == 0
    [unit] = [json.loads(line) for line in _mailbot(db_url, tmp_path, "units", "list", "--json").stdout.splitlines()]
    assert unit["aliases"] == ["TH Xuan", "Tiểu học Xuân"]
    assert unit["addresses"] == ["thx.binhdai@bentre.edu.vn", "thx2@bentre.edu.vn"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("unit_id,official_name\nA,Trường A\n", "thiếu cột: email"),
        ("unit_id,official_name,email\nA,Trường A,a@bentre.edu.vn\nA,Trường B,b@bentre.edu.vn\n", "dòng 3: mã đơn vị A trùng"),
        ("unit_id,official_name,email\nA,Trường A,pgdbinhдай@bentre.edu.vn\n", "dòng 2 (A): địa chỉ thư không hợp lệ"),
    ],
)
def test_units_import_errors_name_the_row(db_url, tmp_path, content, message):
    path = tmp_path / "units.csv"
    path.write_text(content, encoding="utf-8")
    result = _mailbot(db_url, tmp_path, "units", "import", str(path))
    assert result.returncode == 2
    assert message in result.stderr
    assert _mailbot(db_url, tmp_path, "units", "list").stdout.strip().endswith("(0 đơn vị)"), "nothing half-imported"


def test_check_config_masks_secrets_and_refuses_cyrillic_address(tmp_path):
    env = {"MAILBOT_IMAP__PASSWORD": "s3cret-imap", "MAILBOT_SMTP__PASSWORD": "s3cret-smtp"}
    result = _mailbot("sqlite:///x.db", tmp_path, "check-config", env=env)
    assert result.returncode == 0
    assert "s3cret" not in result.stdout and "********" in result.stdout

    bad = _mailbot("sqlite:///x.db", tmp_path, "check-config", env={"MAILBOT_SMTP__FROM_ADDRESS": "pgdbinhдай@bentre.edu.vn"})
    assert bad.returncode == 2
    assert "U+0434 CYRILLIC SMALL LETTER DE" in bad.stderr


def test_demo_runs_on_embedded_defaults(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mailbot", "demo", "--workdir", str(tmp_path / "demo")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")} | {"PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert "Đã ghi sổ 16 thư; đã gửi 13 thư trả lời" in result.stdout
    assert "Mẫu thư biên nhận" in result.stdout and "Mẫu thư từ chối" in result.stdout
    assert len(list((tmp_path / "demo" / "replies").glob("*.eml"))) == 13
