"""The staff pages as staff start them: `mailbot users add`, `mailbot serve` and `mailbot run --web`,
real processes on a free port, signed in over real HTTP (both databases)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.e2e.waiting import wait_until
from tests.servers.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "config" / "units.example.csv"
SAMPLE = ROOT / "mailbot" / "demo" / "mailbox" / "01-thcs-thoi-lai-bao-cao-thang-10.eml"


def _env(db_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
    return base | {
        "MAILBOT_DATABASE_URL": db_url,
        "MAILBOT_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def _mailbot(env: dict[str, str], tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mailbot", *args], cwd=tmp_path, env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def _start(env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.Popen:
    err = (tmp_path / "serve.err").open("w")
    return subprocess.Popen([sys.executable, "-m", "mailbot", *args], cwd=tmp_path, env=env, stdout=err, stderr=err, text=True)


class Browser:
    """urllib with cookies: what a browser does for a server-rendered form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def sign_in(self, username: str, password: str) -> tuple[int, str]:
        _, page = self.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        return self.post("/login", {"username": username, "password": password, "csrf_token": token})


def _up(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/login", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_users_add_then_serve_then_sign_in(db_url, tmp_path):
    env = _env(db_url, tmp_path)
    # the password from a prompt, typed twice
    added = _mailbot(env, tmp_path, "users", "add", "vanthu", "--role", "staff", "--name", "Văn thư", stdin="mat-khau-van-thu\nmat-khau-van-thu\n")
    assert added.returncode == 0, added.stderr
    assert "Đã tạo tài khoản vanthu (Chuyên viên)." in added.stdout
    assert "mat-khau-van-thu" not in added.stdout + added.stderr
    mismatch = _mailbot(env, tmp_path, "users", "add", "khac", stdin="mot-mat-khau-1\nhai-mat-khau-2\n")
    assert mismatch.returncode == 2 and "không khớp" in mismatch.stderr
    short = _mailbot(env, tmp_path, "users", "add", "ngan", "--password", "123")
    assert short.returncode == 2 and "ít nhất 10 ký tự" in short.stderr
    listed = _mailbot(env, tmp_path, "users", "list")
    assert "vanthu" in listed.stdout and "Chuyên viên" in listed.stdout and "khac" not in listed.stdout

    port = free_port()
    proc = _start(env, tmp_path, "serve", "--host", "127.0.0.1", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _up(base), timeout=30), "mailbot serve is not answering"
        browser = Browser(base)
        status, page = browser.get("/")
        assert status == 200 and "Đăng nhập" in page  # redirected to the sign-in page
        status, page = browser.sign_in("vanthu", "mat-khau-van-thu")
        assert status == 200 and "Sổ theo dõi" in page and "Đăng xuất" in page
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def test_run_web_serves_the_pages_beside_the_daemon(db_url, tmp_path):
    mailbox = tmp_path / "mailbox"
    mailbox.mkdir()
    (mailbox / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    port = free_port()
    env = _env(
        db_url, tmp_path,
        MAILBOT_UNITS_FILE=str(UNITS),
        MAILBOT_ANSWER_SINCE="2000-01-01T00:00:00+00:00",
        MAILBOT_POLL_INTERVAL="1",
        MAILBOT_IMAP__MODE="folder",
        MAILBOT_IMAP__PATH=str(mailbox),
        MAILBOT_SMTP__MODE="folder",
        MAILBOT_SMTP__PATH=str(tmp_path / "replies"),
        MAILBOT_WEB__PORT=str(port),
    )
    assert _mailbot(env, tmp_path, "users", "add", "xem", "--role", "viewer", "--password", "chi-xem-thoi-2026").returncode == 0
    proc = _start(env, tmp_path, "run", "--web")
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _up(base), timeout=30), "the pages of mailbot run --web are not answering"
        assert wait_until(lambda: any((tmp_path / "replies").glob("*.eml")), timeout=30), "no receipt from the daemon"
        browser = Browser(base)
        status, page = browser.sign_in("xem", "chi-xem-thoi-2026")
        assert status == 200
        assert "Thới Lai" in page  # the message the daemon just recorded is in the log
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, (tmp_path / "serve.err").read_text()
    time.sleep(0.2)
    assert not _up(base)


def test_a_port_in_use_is_a_clear_error_for_serve_and_run_web(db_url, tmp_path):
    import socket

    env = _env(db_url, tmp_path, MAILBOT_IMAP__MODE="folder", MAILBOT_IMAP__PATH=str(tmp_path / "mailbox"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        served = _mailbot(env, tmp_path, "serve", "--port", port)
        ran = _mailbot(env | {"MAILBOT_WEB__PORT": port}, tmp_path, "run", "--web")
    for result in (served, ran):
        assert result.returncode == 2, result.stderr
        assert f"Lỗi: không mở được trang web tại 127.0.0.1:{port}" in result.stderr
        assert "Traceback" not in result.stderr
